"""Turn a ParsedImport into rows: duplicates skipped, one transaction, bulk writes.

`plan_import(patient, parsed)` says what each parsed record will become (new,
or a duplicate of something already saved or earlier in the file) in a fixed
number of queries. `import_rows(patient, parsed)` re-plans against the
database as it is now and writes everything new in one transaction.

A record is a duplicate when the patient already has:
- a lab result of the same analyte on the same date with the same value and comparator;
- an infusion on the same date with the same product and dose (one near a saved
  infusion but not the same is a conflict the person settles: conflicts.py);
- a symptom score on the same date with the same severity and onset time;
- an oral iron course of the same product from the same date, or a medicine of the same
  name from the same date (its events come with it).
A course overlapping another of the same product (saved, or earlier in the file) is
refused, as the form would refuse it; the preview says why.
New results join an existing draw of the same date and lab when that draw has
none of their analytes yet; otherwise they make a new draw.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields

from django.db import transaction
from django.utils import timezone

from rlsapp.domain import medicines, units
from rlsapp.tracking import services
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, SymptomScore
from rlsapp.tracking.treatments import Medication, MedicationEvent, OralIronCourse

from . import conflicts
from .parsed import ParsedDraw, ParsedImport

CHANGE_REASON = "imported from a file"
REPLACED = "replaced by an imported infusion"


def _value_key(value: float) -> float:
    return round(value, 6)


def _alike_as_written(result, saved: float) -> bool:
    """Whether a saved value is the file's, written to the file's precision: the regional
    spreadsheet export (or a portal) writes phosphate 0.929 mg/dL as '0,93', which read back
    is 0.93 and, compared exactly, a second result for the day. The decimal sign is the last
    sign in the text, so '1,050' (a US thousand) counts three decimals: stricter, never
    looser, than the file wrote."""
    factor = units.ANALYTES[result.analyte].units.get(result.entered_unit)
    if not factor:
        return False
    text = result.entered_value.strip().lstrip("<>=≤≥").strip()
    cut = max(text.rfind("."), text.rfind(","))
    decimals = len(text) - cut - 1 if cut >= 0 else 0
    return round(saved / factor, decimals) == round(result.value / factor, decimals)


@dataclass
class DrawPlan:
    parsed: ParsedDraw
    new_results: list = field(default_factory=list)
    duplicate_results: int = 0
    existing_draw_id: int | None = None  # results join this saved draw
    joins_planned: int | None = None  # or the draw planned at this index in the same import
    # (analyte, value, comparator) saved for the same day with another value than a new
    # result of this draw: one of the two is likely a typo, so the preview says so
    same_day: list = field(default_factory=list)

    @property
    def status(self) -> str:
        if not self.new_results:
            return "duplicate"
        return "partial" if self.duplicate_results else "new"


@dataclass
class ImportPlan:
    draws: list[DrawPlan]
    infusion_new: list[bool]
    symptom_new: list[bool]
    infusion_conflicts: list = field(default_factory=list)  # conflicts.InfusionPlan
    replaced_infusions: list[int] = field(default_factory=list)
    course_new: list[bool] = field(default_factory=list)
    medicine_new: list[bool] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # why a course cannot be imported
    refused_rows: list[int] = field(default_factory=list)  # the entries refused
    refused_courses: int = 0
    refused_medicines: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return {
            "draws": sum(
                1
                for d in self.draws
                if d.new_results and d.existing_draw_id is None and d.joins_planned is None
            ),
            "results": sum(len(d.new_results) for d in self.draws),
            "infusions": sum(self.infusion_new),
            "symptom_scores": sum(self.symptom_new),
            "courses": sum(self.course_new),
            "medicines": sum(self.medicine_new),
        }

    @property
    def duplicates(self) -> dict[str, int]:
        return {
            "results": sum(d.duplicate_results for d in self.draws),
            "infusions": sum(
                1
                for new, conflict in zip(self.infusion_new, self.infusion_conflicts, strict=True)
                if not new and conflict is None
            ),
            "symptom_scores": self.symptom_new.count(False),
            "courses": self.course_new.count(False) - self.refused_courses,
            "medicines": self.medicine_new.count(False) - self.refused_medicines,
        }

    @property
    def skipped_total(self) -> int:
        return sum(self.duplicates.values())


def plan_import(patient, parsed: ParsedImport, choices: dict | None = None) -> ImportPlan:
    """Decide what is new, in four queries whatever the size of the file or the history.

    `choices`: the infusion conflicts settled in the preview (conflicts.plan_infusions).
    """
    saved_results = set()
    saved_by_day = defaultdict(list)  # (date, analyte) -> what is saved for it
    # (date, lab casefold, after the infusion) -> [[draw id or None, planned index, set]]
    slots = defaultdict(list)
    for draw_id, drawn_on, lab_name, after in LabDraw.objects.filter(patient=patient).values_list(
        "pk", "drawn_on", "lab_name", "after_infusion"
    ):
        slots[(drawn_on, lab_name.casefold(), after)].append([draw_id, None, set()])
    by_id = {slot[0]: slot for group in slots.values() for slot in group}
    for draw_id, drawn_on, analyte, value, comparator in LabResult.objects.filter(
        draw__patient=patient
    ).values_list("draw_id", "draw__drawn_on", "analyte", "value", "comparator"):
        saved_results.add((drawn_on, analyte, _value_key(value), comparator))
        saved_by_day[(drawn_on, analyte)].append((analyte, value, comparator))
        by_id[draw_id][2].add(analyte)

    draw_plans = []
    for parsed_draw in parsed.draws:
        plan = DrawPlan(parsed_draw)
        for result in parsed_draw.results:
            key = (
                parsed_draw.drawn_on,
                result.analyte,
                _value_key(result.value),
                result.comparator,
            )
            same_day = saved_by_day.get((parsed_draw.drawn_on, result.analyte), ())
            if key in saved_results or any(
                c == result.comparator and _alike_as_written(result, v) for _a, v, c in same_day
            ):
                plan.duplicate_results += 1
            else:
                saved_results.add(key)
                plan.new_results.append(result)
                plan.same_day += same_day
        analytes = {r.analyte for r in plan.new_results}
        if analytes:
            group = slots[
                (parsed_draw.drawn_on, parsed_draw.lab_name.casefold(), parsed_draw.after_infusion)
            ]
            slot = next((s for s in group if not s[2] & analytes), None)
            if slot is None:
                slot = [None, len(draw_plans), set()]
                group.append(slot)
            plan.existing_draw_id = slot[0]
            if slot[0] is None and slot[1] != len(draw_plans):
                plan.joins_planned = slot[1]
            slot[2] |= analytes
        draw_plans.append(plan)

    infusions = conflicts.plan_infusions(patient, parsed.infusions, choices or {})
    saved_scores = set(
        SymptomScore.objects.filter(patient=patient).values_list(
            "recorded_on", "severity", "onset_time"
        )
    )
    symptom_new = []
    for score in parsed.symptoms:
        key = (score.recorded_on, score.severity, score.onset_time)
        symptom_new.append(key not in saved_scores)
        saved_scores.add(key)
    plan = ImportPlan(
        draw_plans, infusions.new, symptom_new, infusions.conflicts, infusions.replaced
    )
    _plan_treatments(patient, parsed, plan)
    return plan


def _plan_treatments(patient, parsed: ParsedImport, plan: ImportPlan) -> None:
    """Which courses and medicines are new, in two queries (none for a file without them);
    overlapping courses refused."""
    today = timezone.localdate()
    courses = [
        (c.product, c.product_other.strip().casefold(), c.started_on, c.ended_on, c)
        for c in (OralIronCourse.objects.filter(patient=patient) if parsed.courses else ())
    ]
    for course in parsed.courses:
        product = (course.product, course.product_other.strip().casefold())
        same = [c for c in courses if c[:2] == product]
        if any(c[2] == course.started_on for c in same):
            plan.course_new.append(False)
            continue
        other = next(
            (c for c in same if medicines.overlaps(course.started_on, course.ended_on, *c[2:4])),
            None,
        )
        if other is not None:
            plan.course_new.append(False)
            end = f"{other[3]:%Y-%m-%d}" if other[3] else "ongoing"
            plan.refused.append(
                f"Entry {course.rows[0]}: the {medicines.iron_label(*product)} course from "
                f"{course.started_on:%Y-%m-%d} overlaps the one from {other[2]:%Y-%m-%d} "
                f"({end}); courses of the same product may not overlap: not imported."
            )
            plan.refused_courses += 1
            plan.refused_rows.append(course.rows[0])
            continue
        problems = medicines.period_problems(course.started_on, course.ended_on, today)
        if problems:
            plan.course_new.append(False)
            plan.refused.append(f"Entry {course.rows[0]}: {' '.join(problems.values())}")
            plan.refused_courses += 1
            plan.refused_rows.append(course.rows[0])
            continue
        plan.course_new.append(True)
        courses.append((*product, course.started_on, course.ended_on, course))
    medications = Medication.objects.filter(patient=patient) if parsed.medicines else None
    saved = set(
        (drug, other.strip().casefold(), start)
        for drug, other, start in (
            medications.values_list("drug", "drug_other", "started_on")
            if medications is not None
            else ()
        )
    )
    for medicine in parsed.medicines:
        key = (medicine.drug, medicine.drug_other.strip().casefold(), medicine.started_on)
        problems = medicines.period_problems(medicine.started_on, medicine.stopped_on, today)
        if problems and key not in saved:
            plan.refused.append(f"Entry {medicine.rows[0]}: {' '.join(problems.values())}")
            plan.refused_medicines += 1
            plan.refused_rows.append(medicine.rows[0])
        plan.medicine_new.append(key not in saved and not problems)
        saved.add(key)


@dataclass
class ImportOutcome:
    created: dict[str, int]
    skipped_duplicates: dict[str, int]
    replaced_infusions: int = 0  # saved infusions an incoming one replaced (conflicts.py)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped_duplicates.values())


def import_rows(patient, parsed: ParsedImport, user=None, choices=None) -> ImportOutcome:
    """Save everything new in `parsed` for `patient` in one transaction, with bulk inserts.

    Rows the parsers flagged as errors are not in `parsed` at all; the caller has
    shown them in the preview. Each new record also gets its "added" entry in the
    change history (bulk too), credited to `user` (default: the patient's owner).
    The writing itself is tracking.services.add_in_bulk, the one write path. An
    infusion conflict still open (a saved infusion appeared after the preview) imports
    nothing for that infusion; the choices made are remembered (conflicts.remember).
    """
    with transaction.atomic():
        # Lock the patient row so two confirms of the same upload cannot both insert.
        type(patient).objects.select_for_update().filter(pk=patient.pk).first()
        plan = plan_import(patient, parsed, choices)
        planned_draws: dict[int, LabDraw] = {}  # planned index -> the new draw
        results_by_draw = []
        for index, p in enumerate(plan.draws):
            if not p.new_results:
                continue
            if p.existing_draw_id is not None:
                target = p.existing_draw_id
            elif p.joins_planned is not None:
                target = planned_draws[p.joins_planned]
            else:
                target = planned_draws[index] = LabDraw(
                    drawn_on=p.parsed.drawn_on,
                    lab_name=p.parsed.lab_name,
                    note=p.parsed.note,
                    after_infusion=p.parsed.after_infusion,
                    left_out_reason=p.parsed.left_out_reason,
                    left_out_note=p.parsed.left_out_note,
                )
            results_by_draw.append(
                (
                    target,
                    [_record(LabResult, r) for r in p.new_results],
                )
            )
        # "Keep the one from this file": the saved infusion goes first, with its history
        # entry (so it can be restored), in this transaction with the rest.
        for infusion in Infusion.objects.filter(patient=patient, pk__in=plan.replaced_infusions):
            services.delete_record(infusion, by=user or patient.owner, reason=REPLACED)
        added = services.add_in_bulk(
            patient,
            new_draws=list(planned_draws.values()),
            results_by_draw=results_by_draw,
            infusions=[
                _record(Infusion, i)
                for i, new in zip(parsed.infusions, plan.infusion_new, strict=True)
                if new
            ],
            symptom_scores=[
                _record(SymptomScore, s)
                for s, new in zip(parsed.symptoms, plan.symptom_new, strict=True)
                if new
            ],
            by=user or patient.owner,
            reason=CHANGE_REASON,
        )
        _import_treatments(patient, parsed, plan, user or patient.owner)
        conflicts.remember(patient, plan.infusion_conflicts)
        counts = {**plan.counts, "results": added.results}
    return ImportOutcome(counts, plan.duplicates, len(plan.replaced_infusions))


def _record(model, parsed):
    """The unsaved `model` a parsed record describes: each field the two share by name.

    The parsed dataclasses name their fields as the models do; what only they hold (the
    file's `rows`, a medicine's `events`, a draw's `results`) is not a model field.
    """
    names = {f.name for f in model._meta.concrete_fields}
    return model(**{f.name: getattr(parsed, f.name) for f in fields(parsed) if f.name in names})


def _import_treatments(patient, parsed: ParsedImport, plan: ImportPlan, user) -> None:
    courses = [
        _record(OralIronCourse, c)
        for c, new in zip(parsed.courses, plan.course_new, strict=True)
        if new
    ]
    medications = [
        (_record(Medication, m), [_record(MedicationEvent, e) for e in m.events])
        for m, new in zip(parsed.medicines, plan.medicine_new, strict=True)
        if new
    ]
    if courses or medications:
        services.add_treatments_in_bulk(
            patient, courses=courses, medications=medications, by=user, reason=CHANGE_REASON
        )
