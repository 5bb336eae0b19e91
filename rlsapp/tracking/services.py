"""The one write path for a person's records.

Every create, change, delete and restore of a Patient, LabDraw, LabResult, Infusion,
SymptomScore, OralIronCourse, Medication or MedicationEvent goes through a function here:
the forms, the importer, the change history's restore, the admin and the demo seed call
them, and nothing else writes those tables.

Each service runs in one transaction and ends by saying what changed, explicitly
(`_changed`):
- the page cache: the owners' data version moves on once, at the end (versions.py);
- the apps that keep state derived from records (the reminder scheduler), named in
  settings.RECORDS_CHANGED_HANDLERS because they sit above this app and may not be
  imported from here. Each handler gets the person ids and the kinds of record changed.

Optimistic locking: an edit passes the version its form was opened at (`seen_version`);
of two saves from the same version exactly one wins and the other raises EditConflict.
Callers without a form leave it UNCHECKED: the version still moves on, so a form opened
before their change cannot overwrite it.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F
from django.utils.module_loading import import_string
from simple_history.utils import bulk_create_with_history

from rlsapp.domain import rules, units

from . import treatment_rules
from .models import (
    DELETED_WITH_DRAW,
    LEFT_OUT_CHOICES,
    RESTORED,
    RESTORED_WITH_DRAW,
    Infusion,
    LabDraw,
    LabResult,
    Patient,
    SymptomScore,
)
from .treatments import (
    DELETED_WITH_MEDICINE,
    RESTORED_WITH_MEDICINE,
    Medication,
    MedicationEvent,
    OralIronCourse,
)
from .versions import bump_data_version, one_bump_at_the_end

# What changed, for the handlers: each kind of record, and a person's own settings.
DRAWS, INFUSIONS, SYMPTOMS, SETTINGS = "draws", "infusions", "symptoms", "settings"
ORAL_IRON, MEDICINES = "oral_iron", "medicines"
KIND_OF = {
    LabDraw: DRAWS,
    Infusion: INFUSIONS,
    SymptomScore: SYMPTOMS,
    Patient: SETTINGS,
    OralIronCourse: ORAL_IRON,
    Medication: MEDICINES,
    MedicationEvent: MEDICINES,
}

IMPORT_BATCH_SIZE = 1000


class EditConflict(Exception):
    """Someone else saved the record after the form was opened."""


class AlreadyPresent(Exception):
    """The record to restore exists (it was restored before)."""


class ParentMissing(Exception):
    """A medicine's event cannot come back while the medicine itself is deleted."""


def _handlers():
    return [import_string(path) for path in settings.RECORDS_CHANGED_HANDLERS]


def _changed(persons: Iterable[Patient], kinds: Iterable[str]) -> None:
    """Tell the page cache and the apps that derive state from records what changed.
    Handlers get the Patient objects (no second lookup) and the kinds of record."""
    persons = list({person.pk: person for person in persons}.values())
    if not persons:
        return
    kinds = frozenset(kinds)
    for handler in _handlers():
        handler(persons, kinds)
    bump_data_version(patients__in=[person.pk for person in persons])


# Callers without a form (the admin, the seed, commands) change a record whatever its version.
UNCHECKED = object()


def _claim_version(instance, seen_version) -> None:
    """Move an edited record's version on from the one its form was opened at, or raise."""
    if instance._state.adding:
        return
    records = type(instance).objects.filter(pk=instance.pk)
    if seen_version is UNCHECKED:
        records.update(version=F("version") + 1)
        instance.version = records.values_list("version", flat=True).get()
        return
    claimed = seen_version is not None and records.filter(version=seen_version).update(
        version=seen_version + 1
    )
    if not claimed:
        raise EditConflict
    instance.version = seen_version + 1


def _by(instance, user):
    """Credit the change history to `user` where no request says who (seed, commands)."""
    if user is not None:
        instance._history_user = user
    return instance


# People ----------------------------------------------------------------------


@one_bump_at_the_end()
def save_person(person: Patient, *, seen_version=UNCHECKED, by=None) -> Patient:
    """Add a person or change their details and re-check settings."""
    _claim_version(person, seen_version)
    previous_owner = getattr(person, "owner_id_from_db", None)
    _by(person, by).save()
    if previous_owner not in (None, person.owner_id):
        # Moved to another account (the admin): the previous owner's pages must forget it.
        bump_data_version(pk=previous_owner)
    _changed([person], [SETTINGS])
    return person


@one_bump_at_the_end()
def delete_person(person: Patient) -> None:
    """Delete a person with every record and the change history of them."""
    owner_id = person.owner_id
    person.delete()
    # The person is gone: nothing derived needs telling, but the owner's pages do.
    bump_data_version(pk=owner_id)


# Lab draws -------------------------------------------------------------------


@one_bump_at_the_end()
def save_draw(
    draw: LabDraw,
    measurements: dict[str, units.Measurement] | None,
    *,
    seen_version=UNCHECKED,
    by=None,
) -> bool:
    """Save a draw with exactly these results (None: keep its results as they are).

    Transferrin saturation is calculated from iron and TIBC when no TSAT is given
    (rules.calculated_tsat); returns whether it was. Raises rules.TsatOutOfRange.
    """
    _claim_version(draw, seen_version)
    adding = draw._state.adding
    _by(draw, by).save()
    tsat_calculated = False
    if measurements is not None:
        measurements = dict(measurements)
        tsat = rules.calculated_tsat(measurements)
        if tsat is not None:
            measurements["tsat"] = tsat
            tsat_calculated = True
        results = {
            code: LabResult(draw=draw).set_measurement(
                m, calculated=tsat_calculated and code == "tsat"
            )
            for code, m in measurements.items()
        }
        if adding:  # nothing to replace: all results and their history in two inserts
            bulk_create_with_history(list(results.values()), LabResult, default_user=by)
        else:  # an edit: results it no longer holds go, the others are updated in place
            for saved in draw.results.all():  # prefetched when the form read the draw
                if saved.analyte not in results:
                    _by(saved, by).delete()
                else:
                    results[saved.analyte].pk = saved.pk
                    results[saved.analyte]._state.adding = False
            for result in results.values():
                _by(result, by).save()
    _changed([draw.patient], [DRAWS])
    return tsat_calculated


@one_bump_at_the_end()
def leave_out(
    draw: LabDraw, reason: str, note: str = "", *, seen_version=UNCHECKED, by=None
) -> LabDraw:
    """Leave a draw out of the decline fits (kept in every table), with the reason; its
    history entry says so, and put_back undoes it."""
    if reason not in dict(LEFT_OUT_CHOICES):
        raise ValueError(f"unknown reason {reason!r} for leaving a draw out")
    draw.left_out_reason, draw.left_out_note = reason, note.strip()
    draw._change_reason = f"left out of the fits: {draw.left_out_words}"
    return _save_draw_fields(draw, seen_version, by)


@one_bump_at_the_end()
def put_back(draw: LabDraw, *, seen_version=UNCHECKED, by=None) -> LabDraw:
    """Let a left-out draw enter the fits again."""
    draw.left_out_reason, draw.left_out_note = "", ""
    draw._change_reason = "put back into the fits"
    return _save_draw_fields(draw, seen_version, by)


def _save_draw_fields(draw: LabDraw, seen_version, by) -> LabDraw:
    _claim_version(draw, seen_version)
    _by(draw, by).save(update_fields=["left_out_reason", "left_out_note", "version"])
    _changed([draw.patient], [DRAWS])
    return draw


@one_bump_at_the_end()
def delete_draw(draw: LabDraw) -> None:
    """Delete a draw and its results, marking the results' history so that a restore of the
    draw can tell them from results removed earlier by an edit."""
    for result in draw.results.all():
        result._change_reason = DELETED_WITH_DRAW
        result.delete()
    draw.delete()
    _changed([draw.patient], [DRAWS])


# Infusions and symptom scores --------------------------------------------------


@one_bump_at_the_end()
def save_record(record: Infusion | SymptomScore, *, seen_version=UNCHECKED, by=None):
    """Add or change an infusion or a symptom score."""
    _claim_version(record, seen_version)
    _by(record, by).save()
    _changed([record.patient], [KIND_OF[type(record)]])
    return record


@one_bump_at_the_end()
def delete_record(record: Infusion | SymptomScore, *, by=None, reason: str = "") -> None:
    record._change_reason = reason or None  # the history's why (an import's replacement)
    _by(record, by).delete()
    _changed([record.patient], [KIND_OF[type(record)]])


# Restore ---------------------------------------------------------------------


@one_bump_at_the_end()
def restore(history_record):
    """Bring back a deleted record as it was when deleted; a draw comes back with its results."""
    model = history_record.instance_type
    if model.objects.filter(pk=history_record.id).exists():
        raise AlreadyPresent
    if (
        model is MedicationEvent
        and not Medication.objects.filter(pk=history_record.medication_id).exists()
    ):
        raise ParentMissing
    obj = history_record.instance
    if model in treatment_rules.PROBLEMS_OF:
        treatment_rules.check(obj)  # a course may not come back over a newer one
    obj._change_reason = RESTORED
    obj.save(force_insert=True)
    if model is Medication:
        _restore_with(MedicationEvent.history.filter(medication_id=obj.pk), DELETED_WITH_MEDICINE)
    if model is LabDraw:
        latest = {}
        for version in LabResult.history.filter(draw_id=history_record.id).order_by(
            "-history_date", "-history_id"
        ):
            latest.setdefault(version.id, version)
        for version in latest.values():
            if version.history_type == "-" and version.history_change_reason == DELETED_WITH_DRAW:
                result = version.instance
                result._change_reason = RESTORED_WITH_DRAW
                result.save(force_insert=True)
    _changed([obj.patient], [KIND_OF[model]])
    return obj


# Bulk additions (imports) ------------------------------------------------------


def with_calculated_tsat(results: list[LabResult]) -> list[LabResult]:
    """The results of one draw, with TSAT added when iron and TIBC allow (rules.py).

    An iron/TIBC pair giving an impossible saturation adds nothing: the import's preview
    shows both values as read, and a person can correct them in the form.
    """
    measurements = {
        r.analyte: units.Measurement(
            r.analyte, r.value, r.comparator, r.entered_value, r.entered_unit
        )
        for r in results
    }
    try:
        tsat = rules.calculated_tsat(measurements)
    except rules.TsatOutOfRange:
        return results
    if tsat is None:
        return results
    return [*results, LabResult().set_measurement(tsat, calculated=True)]


@dataclass
class Added:
    results: int


@one_bump_at_the_end()
def add_in_bulk(
    person: Patient,
    *,
    new_draws: list[LabDraw],
    results_by_draw: list[tuple[LabDraw | int, list[LabResult]]],
    infusions: list[Infusion],
    symptom_scores: list[SymptomScore],
    by=None,
    reason: str = "",
) -> Added:
    """Insert many records at once, each with its "added" history entry.

    `results_by_draw` pairs each group of results with the draw it joins: one of
    `new_draws` or the id of a draw already saved. A new draw whose results hold iron
    and TIBC but no TSAT gets its TSAT calculated, as the form would.
    """

    def create(model, objs):
        bulk_create_with_history(
            objs,
            model,
            batch_size=IMPORT_BATCH_SIZE,
            default_user=by,
            default_change_reason=reason,
        )

    for obj in (*new_draws, *infusions, *symptom_scores):
        obj.patient = person
    create(LabDraw, new_draws)
    groups: dict[int, list[LabResult]] = {}  # draw id -> its new results
    for draw, group in results_by_draw:
        draw_id = draw.pk if isinstance(draw, LabDraw) else draw
        groups.setdefault(draw_id, []).extend(group)
    new_ids = {draw.pk for draw in new_draws}
    results = []
    for draw_id, group in groups.items():
        if draw_id in new_ids:
            group = with_calculated_tsat(group)
        for result in group:
            result.draw_id = draw_id
        results.extend(group)
    create(LabResult, results)
    create(Infusion, infusions)
    create(SymptomScore, symptom_scores)
    kinds = {DRAWS: results, INFUSIONS: infusions, SYMPTOMS: symptom_scores}
    _changed([person], [kind for kind, added in kinds.items() if added])
    return Added(results=len(results))


# Oral iron courses and RLS medicines ---------------------------------------------------

InvalidRecord = treatment_rules.InvalidRecord


def _lock_person(person_id: int) -> None:
    """Two saves for one person run one after the other, so the overlap rule holds."""
    list(Patient.objects.select_for_update().filter(pk=person_id).values("pk"))


@one_bump_at_the_end()
def save_treatment(
    record: OralIronCourse | Medication | MedicationEvent, *, seen_version=UNCHECKED, by=None
):
    """Add or change an oral iron course, a medicine or one of its events.

    Raises InvalidRecord (nothing saved) when the record breaks a rule of treatment_rules.
    """
    if isinstance(record, MedicationEvent):
        record.patient_id = record.medication.patient_id
    _lock_person(record.patient_id)
    treatment_rules.check(record)
    _claim_version(record, seen_version)
    _by(record, by).save()
    _changed([record.patient], [KIND_OF[type(record)]])
    return record


@one_bump_at_the_end()
def delete_treatment(record: OralIronCourse | Medication | MedicationEvent) -> None:
    """Delete a course, an event, or a medicine with its events (marked, so that restoring
    the medicine brings them back)."""
    if isinstance(record, Medication):
        for event in record.events.all():
            event._change_reason = DELETED_WITH_MEDICINE
            event.delete()
    record.delete()
    _changed([record.patient], [KIND_OF[type(record)]])


def _restore_with(history, deleted_reason):
    latest = {}
    for version in history.order_by("-history_date", "-history_id"):
        latest.setdefault(version.id, version)
    for version in latest.values():
        if version.history_type == "-" and version.history_change_reason == deleted_reason:
            child = version.instance
            child._change_reason = RESTORED_WITH_MEDICINE
            child.save(force_insert=True)


@one_bump_at_the_end()
def add_treatments_in_bulk(
    person: Patient,
    *,
    courses: list[OralIronCourse],
    medications: list[tuple[Medication, list[MedicationEvent]]],
    by=None,
    reason: str = "",
) -> None:
    """Insert imported courses and medicines (each with its events) after checking each
    against the rules, as a form would; raises InvalidRecord, saving nothing."""
    _lock_person(person.pk)
    for course in courses:
        course.patient = person
        treatment_rules.check(course)
        # Later courses of the file are checked against the earlier ones.
        _by(course, by)._change_reason = reason
        course.save()
    for medication, events in medications:
        medication.patient = person
        treatment_rules.check(medication)
        _by(medication, by)._change_reason = reason
        medication.save()
        for event in events:
            event.medication, event.patient = medication, person
            treatment_rules.check(event)
            _by(event, by)._change_reason = reason
            event.save()
    kinds = {ORAL_IRON: courses, MEDICINES: medications}
    _changed([person], [kind for kind, added in kinds.items() if added])
