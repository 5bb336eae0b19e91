"""Turn a ParsedImport into rows: duplicates skipped, one transaction, bulk writes.

`plan_import(patient, parsed)` says what each parsed record will become (new,
or a duplicate of something already saved or earlier in the file) in a fixed
number of queries. `import_rows(patient, parsed)` re-plans against the
database as it is now and writes everything new in one transaction.

A record is a duplicate when the patient already has:
- a lab result of the same analyte on the same date with the same value and comparator;
- an infusion on the same date with the same product and dose;
- a symptom score on the same date with the same severity and onset time.
New results join an existing draw of the same date and lab when that draw has
none of their analytes yet; otherwise they make a new draw.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from rlsapp.tracking import services
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, SymptomScore

from .parsed import ParsedDraw, ParsedImport

CHANGE_REASON = "imported from a file"


def _value_key(value: float) -> float:
    return round(value, 6)


@dataclass
class DrawPlan:
    parsed: ParsedDraw
    new_results: list = field(default_factory=list)
    duplicate_results: int = 0
    existing_draw_id: int | None = None  # results join this saved draw
    joins_planned: int | None = None  # or the draw planned at this index in the same import

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
        }

    @property
    def duplicates(self) -> dict[str, int]:
        return {
            "results": sum(d.duplicate_results for d in self.draws),
            "infusions": self.infusion_new.count(False),
            "symptom_scores": self.symptom_new.count(False),
        }

    @property
    def skipped_total(self) -> int:
        return sum(self.duplicates.values())


def plan_import(patient, parsed: ParsedImport) -> ImportPlan:
    """Decide what is new, in four queries whatever the size of the file or the history."""
    saved_results = set()
    slots = defaultdict(list)  # (date, lab casefold) -> [[draw id or None, planned index, set]]
    for draw_id, drawn_on, lab_name in LabDraw.objects.filter(patient=patient).values_list(
        "pk", "drawn_on", "lab_name"
    ):
        slots[(drawn_on, lab_name.casefold())].append([draw_id, None, set()])
    by_id = {slot[0]: slot for group in slots.values() for slot in group}
    for draw_id, drawn_on, analyte, value, comparator in LabResult.objects.filter(
        draw__patient=patient
    ).values_list("draw_id", "draw__drawn_on", "analyte", "value", "comparator"):
        saved_results.add((drawn_on, analyte, _value_key(value), comparator))
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
            if key in saved_results:
                plan.duplicate_results += 1
            else:
                saved_results.add(key)
                plan.new_results.append(result)
        analytes = {r.analyte for r in plan.new_results}
        if analytes:
            group = slots[(parsed_draw.drawn_on, parsed_draw.lab_name.casefold())]
            slot = next((s for s in group if not s[2] & analytes), None)
            if slot is None:
                slot = [None, len(draw_plans), set()]
                group.append(slot)
            plan.existing_draw_id = slot[0]
            if slot[0] is None and slot[1] != len(draw_plans):
                plan.joins_planned = slot[1]
            slot[2] |= analytes
        draw_plans.append(plan)

    saved_infusions = set(
        Infusion.objects.filter(patient=patient).values_list(
            "given_on", "product", "product_other", "dose_mg"
        )
    )
    infusion_new = []
    for infusion in parsed.infusions:
        key = (infusion.given_on, infusion.product, infusion.product_other, infusion.dose_mg)
        infusion_new.append(key not in saved_infusions)
        saved_infusions.add(key)

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
    return ImportPlan(draw_plans, infusion_new, symptom_new)


@dataclass
class ImportOutcome:
    created: dict[str, int]
    skipped_duplicates: dict[str, int]

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped_duplicates.values())


def import_rows(patient, parsed: ParsedImport, user=None) -> ImportOutcome:
    """Save everything new in `parsed` for `patient` in one transaction, with bulk inserts.

    Rows the parsers flagged as errors are not in `parsed` at all; the caller has
    shown them in the preview. Each new record also gets its "added" entry in the
    change history (bulk too), credited to `user` (default: the patient's owner).
    The writing itself is tracking.services.add_in_bulk, the one write path.
    """
    with transaction.atomic():
        # Lock the patient row so two confirms of the same upload cannot both insert.
        type(patient).objects.select_for_update().filter(pk=patient.pk).first()
        plan = plan_import(patient, parsed)
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
                    drawn_on=p.parsed.drawn_on, lab_name=p.parsed.lab_name, note=p.parsed.note
                )
            results_by_draw.append(
                (
                    target,
                    [
                        LabResult(
                            analyte=r.analyte,
                            value=r.value,
                            comparator=r.comparator,
                            entered_value=r.entered_value,
                            entered_unit=r.entered_unit,
                            calculated=r.calculated,
                        )
                        for r in p.new_results
                    ],
                )
            )
        added = services.add_in_bulk(
            patient,
            new_draws=list(planned_draws.values()),
            results_by_draw=results_by_draw,
            infusions=[
                Infusion(
                    given_on=i.given_on,
                    product=i.product,
                    product_other=i.product_other,
                    dose_mg=i.dose_mg,
                    reaction=i.reaction,
                    notes=i.notes,
                )
                for i, new in zip(parsed.infusions, plan.infusion_new, strict=True)
                if new
            ],
            symptom_scores=[
                SymptomScore(
                    recorded_on=s.recorded_on,
                    severity=s.severity,
                    onset_time=s.onset_time,
                    note=s.note,
                )
                for s, new in zip(parsed.symptoms, plan.symptom_new, strict=True)
                if new
            ],
            by=user or patient.owner,
            reason=CHANGE_REASON,
        )
        counts = {**plan.counts, "results": added.results}
    return ImportOutcome(counts, plan.duplicates)
