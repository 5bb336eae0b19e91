"""Bulk additions (imports): many records at once, each with its "added" history entry."""

from dataclasses import dataclass

from simple_history.utils import bulk_create_with_history

from rlsapp.domain import rules, units

from ..models import Infusion, LabDraw, LabResult, Patient, SymptomScore
from ..versions import one_bump_at_the_end
from .base import DRAWS, IMPORT_BATCH_SIZE, INFUSIONS, SYMPTOMS, _changed


def with_calculated_tsat(results: list[LabResult], saved=()) -> list[LabResult]:
    """The new results of one draw, with TSAT added when iron and TIBC allow (rules.py),
    reading them among the new results and those the draw already holds (`saved`).

    An iron/TIBC pair giving an impossible saturation adds nothing: the import's preview
    shows both values as read, and a person can correct them in the form.
    """
    measurements = {
        r.analyte: units.Measurement(
            r.analyte, r.value, r.comparator, r.entered_value, r.entered_unit
        )
        for r in (*saved, *results)
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
    `new_draws` or the id of a draw already saved. A draw whose results (new and saved)
    hold iron and TIBC but no TSAT gets its TSAT calculated, as the form would.
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
    # Results joining saved draws: with the draw's own, iron and TIBC may now be complete
    # (one query for all of them).
    saved: dict[int, list[LabResult]] = {}
    for result in LabResult.objects.filter(draw_id__in=set(groups) - new_ids):
        saved.setdefault(result.draw_id, []).append(result)
    results = []
    for draw_id, group in groups.items():
        group = with_calculated_tsat(group, saved.get(draw_id, ()))
        for result in group:
            result.draw_id = draw_id
        results.extend(group)
    create(LabResult, results)
    create(Infusion, infusions)
    create(SymptomScore, symptom_scores)
    kinds = {DRAWS: results, INFUSIONS: infusions, SYMPTOMS: symptom_scores}
    _changed([person], [kind for kind, added in kinds.items() if added])
    return Added(results=len(results))
