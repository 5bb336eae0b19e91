"""A person's change history: who added, changed or deleted what and when, and restores.

Reads the tables django-simple-history keeps for each tracked model, a fixed number of
queries whatever the history size: one per model, then diffs in Python between consecutive
versions of the same record.
"""

import bisect
import datetime
from dataclasses import dataclass, field

from rlsapp.domain import units

from .change_reasons import DELETED_WITH_DRAW, RESTORED, RESTORED_WITH_DRAW
from .models import Infusion, LabDraw, LabResult, Patient, SymptomScore
from .treatments import Medication, MedicationEvent, OralIronCourse

# Records of these kinds can be restored after deletion; the slug is used in URLs.
RESTORABLE = {
    "draw": LabDraw,
    "infusion": Infusion,
    "symptom": SymptomScore,
    "course": OralIronCourse,
    "medicine": Medication,
    "medicine_event": MedicationEvent,
}
LIMIT = 100
IGNORED_FIELDS = {
    "id",
    "version",
    "created",
    "patient",
    "owner",
    "draw",
    "data_version",
    "deleted_at",
}
ACTIONS = {"+": "added", "~": "changed", "-": "deleted"}


@dataclass
class Change:
    when: datetime.datetime
    who: str
    action: str
    what: str
    lines: list[str] = field(default_factory=list)
    restore_kind: str = ""
    restore_id: int | None = None


def _display(record, name):
    model_field = record.instance_type._meta.get_field(name)
    value = getattr(record, name)
    if value in (None, ""):
        return "(blank)"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _diff(record, previous):
    lines = []
    for model_field in record.instance_type._meta.concrete_fields:
        if model_field.name in IGNORED_FIELDS or model_field.is_relation:
            continue
        name = model_field.name
        if getattr(record, name) != getattr(previous, name):
            before, after = _display(previous, name), _display(record, name)
            lines.append(f"{str(model_field.verbose_name).capitalize()}: {before} → {after}")
    return lines


def _result_text(record):
    return f"{units.ANALYTES[record.analyte].label}: {record.instance.display}"


def _newest(queryset):
    ordered = queryset.select_related("history_user").order_by("-history_date", "-history_id")
    records = list(ordered[:LIMIT])
    by_object = {}
    for record in reversed(records):
        # The oldest version of each record in the window has no predecessor here.
        record.previous = by_object.get(record.id)
        by_object[record.id] = record
    return records


def _change(record, what, kind="", absent=frozenset(), newest=None):
    user = record.history_user
    change = Change(
        when=record.history_date,
        who=user.email if user else "not recorded (outside the app, or a deleted account)",
        action=ACTIONS[record.history_type],
        what=what,
    )
    if record.history_type == "~":
        if record.previous is None:
            change.lines = ["(earlier version not shown)"]
        else:
            change.lines = _diff(record, record.previous)
    elif record.history_change_reason == RESTORED:
        change.action = RESTORED
    # A deletion can be undone while it is the record's newest version and the record is gone.
    if kind and record.history_type == "-" and record.id in absent and newest is record:
        change.restore_kind, change.restore_id = kind, record.history_id
    return change


def _changes(records, what, kind="", model=None):
    absent = frozenset()
    if model is not None:
        deleted = {r.id for r in records if r.history_type == "-"}
        absent = deleted - set(model.objects.filter(pk__in=deleted).values_list("pk", flat=True))
    newest = {}
    for record in records:
        newest.setdefault(record.id, record)
    return [
        (record, _change(record, what(record), kind, absent, newest[record.id]))
        for record in records
    ]


def _result_line(record):
    if record.history_change_reason in (DELETED_WITH_DRAW, RESTORED_WITH_DRAW):
        return _result_text(record)
    if record.history_type == "+":
        return f"added {_result_text(record)}"
    if record.history_type == "-":
        return f"removed {_result_text(record)}"
    previous = record.previous
    if previous is None or (record.value, record.comparator) == (
        previous.value,
        previous.comparator,
    ):
        return None
    return f"{_result_text(previous)} → {_result_text(record)}"


def _attach_results(draw_changes, results):
    """Put each result's change under the save of its draw that it belongs to.

    A form saves the draw, then its results, in one request; a draw's deletion deletes its
    results first, then the draw. So a result belongs to the draw's latest save at or before
    it, or for a deletion with the draw, to the draw's first deletion at or after it.
    """
    saves = {}
    for record, change in draw_changes:
        saves.setdefault(record.id, []).append((record.history_date, record.history_type, change))
    for timeline in saves.values():
        timeline.sort(key=lambda item: item[0])
    orphans = []
    for record in reversed(results):
        line = _result_line(record)
        if line is None:
            continue
        timeline = saves.get(record.draw_id, [])
        dates = [item[0] for item in timeline]
        owner = None
        if record.history_change_reason == DELETED_WITH_DRAW:
            i = bisect.bisect_left(dates, record.history_date)
            owner = next((c for _, t, c in timeline[i:] if t == "-"), None)
        else:
            i = bisect.bisect_right(dates, record.history_date)
            owner = timeline[i - 1][2] if i else None
        if owner is None:
            orphan = _change(record, "Lab result")
            orphan.action, orphan.lines = "changed", [line]
            orphans.append(orphan)
        else:
            owner.lines.append(line)
    return orphans


def _event_what(record, names):
    """An event's medicine may be gone (deleted with it): named from its history."""
    name = names.get(record.medication_id, "a medicine")
    label = dict(MedicationEvent._meta.get_field("kind").flatchoices).get(record.kind, "")
    return f"Event of {name}: {label} on {record.happened_on:%Y-%m-%d}"


def patient_history(patient):
    """The newest changes to a person's records and settings, as a list of Change."""
    draw_ids = LabDraw.history.filter(patient_id=patient.pk).values("id")
    draws = _changes(
        _newest(LabDraw.history.filter(patient_id=patient.pk)),
        lambda r: f"Lab result of {r.drawn_on:%Y-%m-%d}",
        "draw",
        LabDraw,
    )
    orphans = _attach_results(draws, _newest(LabResult.history.filter(draw_id__in=draw_ids)))
    medicine_names = {
        m.id: m.instance.drug_label
        for m in Medication.history.filter(patient_id=patient.pk).order_by("history_id")
    }
    kinds = (
        ("infusion", Infusion, lambda r: f"Infusion: {r.instance}"),
        ("symptom", SymptomScore, lambda r: f"Symptom score: {r.instance}"),
        ("course", OralIronCourse, lambda r: f"Oral iron course: {r.instance}"),
        ("medicine", Medication, lambda r: f"Medicine: {r.instance}"),
        ("medicine_event", MedicationEvent, lambda r: _event_what(r, medicine_names)),
    )
    others = [
        change
        for kind, model, what in kinds
        for change in _changes(
            _newest(model.history.filter(patient_id=patient.pk)), what, kind, model
        )
    ]
    others += _changes(
        _newest(Patient.history.filter(id=patient.pk)), lambda r: "Profile and settings"
    )
    changes = [c for _, c in draws + others] + orphans
    # A save that changed nothing visible (the version only) is not a change worth listing.
    changes = [c for c in changes if c.lines or c.action != "changed"]
    changes.sort(key=lambda c: c.when, reverse=True)
    return changes[:LIMIT]
