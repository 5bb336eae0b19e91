"""The records the exports write, read as plain rows in three queries.

A ten-year history is about a thousand records; building a model instance for each
cost more than writing the whole export. The rows carry the attributes csv_export and
fhir_export read, under the models' names; a draw's `results` is a list.
"""

import datetime
from collections import defaultdict
from typing import NamedTuple

from rlsapp.domain import products
from rlsapp.tracking.models import Infusion, LabResult, SymptomScore


class ResultRow(NamedTuple):
    pk: int
    draw_id: int
    analyte: str
    value: float
    comparator: str
    calculated: bool
    entered_value: str
    entered_unit: str


class Draw(NamedTuple):
    pk: int
    patient_id: int
    drawn_on: datetime.date
    lab_name: str
    note: str
    after_infusion: bool
    left_out_reason: str
    left_out_note: str
    results: list[ResultRow]


class InfusionRow(NamedTuple):
    pk: int
    patient_id: int
    given_on: datetime.date
    product: str
    product_other: str
    dose_mg: int
    reaction: str
    notes: str

    @property
    def product_full_name(self):
        return products.full_name(self.product, self.product_other)


class ScoreRow(NamedTuple):
    pk: int
    patient_id: int
    recorded_on: datetime.date
    severity: int
    onset_time: datetime.time | None
    note: str


_DRAW_FIELDS = [
    "draw__patient_id",
    "draw__drawn_on",
    "draw__lab_name",
    "draw__note",
    "draw__after_infusion",
    "draw__left_out_reason",
    "draw__left_out_note",
]
_SPLIT = len(ResultRow._fields)


def _rows(queryset, row):
    return map(row._make, queryset.values_list(*row._fields))


def export_records(patient_ids):
    """{patient id: (draws with their results, infusions, symptom scores)}, draws and
    results by id, the rest in the models' own order. Draws come with their results, in
    one query: a draw without results has nothing to export."""
    draws, infusions, scores = defaultdict(list), defaultdict(list), defaultdict(list)
    by_id = {}
    results = LabResult.objects.filter(draw__patient_id__in=patient_ids).order_by("pk")
    for row in results.values_list(*ResultRow._fields, *_DRAW_FIELDS):
        result = ResultRow._make(row[:_SPLIT])
        draw = by_id.get(result.draw_id)
        if draw is None:
            draw = by_id[result.draw_id] = Draw(result.draw_id, *row[_SPLIT:], [])
            draws[draw.patient_id].append(draw)
        draw.results.append(result)
    for infusion in _rows(Infusion.objects.filter(patient_id__in=patient_ids), InfusionRow):
        infusions[infusion.patient_id].append(infusion)
    for score in _rows(SymptomScore.objects.filter(patient_id__in=patient_ids), ScoreRow):
        scores[score.patient_id].append(score)
    return {pk: (draws[pk], infusions[pk], scores[pk]) for pk in patient_ids}
