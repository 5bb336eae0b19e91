"""The records the exports write: draws (with their results), infusions and symptom
scores as plain rows in three queries; oral iron courses and medicines as model instances.

A ten-year history is about a thousand records; building a model instance for each
cost more than writing the whole export, and compiling the ORM's queries more than
PostgreSQL takes to run them, so the SQL is written here, from the models' own table and
column names. The rows carry the attributes csv_export and fhir_export read, under the
models' names; a draw's `results` is a list.
"""

import datetime
from collections import defaultdict
from typing import NamedTuple

from django.db import connection
from django.db.models import prefetch_related_objects

from rlsapp.domain import products
from rlsapp.tracking import compiled
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, SymptomScore
from rlsapp.tracking.treatments import Medication, OralIronCourse


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


# A draw's fields that its rows carry besides its id (results are read with their draw).
_DRAW_FIELDS = Draw._fields[1:-1]
_SPLIT = len(ResultRow._fields)


def _select(model, alias: str, fields) -> str:
    return ", ".join(compiled.column(model, name, alias) for name in fields)


def _table(model, alias: str) -> str:
    return f"{compiled.table(model)} {alias}"


def _of(model, alias: str, patient_ids) -> str:
    """WHERE this table's person is one of these (a placeholder each)."""
    placeholders = ", ".join(["%s"] * len(patient_ids))
    return f"WHERE {compiled.column(model, 'patient', alias)} IN ({placeholders})"


def _fetch(sql: str, patient_ids) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, patient_ids)
        return cursor.fetchall()


def _person_rows(model, row, patient_ids):
    """`row`s of these people's records of `model`, by id."""
    sql = (
        f"SELECT {_select(model, 't', row._fields)} FROM {_table(model, 't')} "
        f"{_of(model, 't', patient_ids)} ORDER BY {compiled.column(model, 'pk', 't')}"
    )
    return map(row._make, _fetch(sql, patient_ids))


def _result_rows(patient_ids) -> list[tuple]:
    """These people's results, each with its draw's fields after its own, by result id."""
    sql = (
        f"SELECT {_select(LabResult, 'r', ResultRow._fields)}, "
        f"{_select(LabDraw, 'd', _DRAW_FIELDS)} "
        f"FROM {_table(LabResult, 'r')} INNER JOIN {_table(LabDraw, 'd')} "
        f"ON {compiled.column(LabDraw, 'pk', 'd')} = {compiled.column(LabResult, 'draw', 'r')} "
        f"{_of(LabDraw, 'd', patient_ids)} ORDER BY {compiled.column(LabResult, 'pk', 'r')}"
    )
    return _fetch(sql, patient_ids)


def export_records(patient_ids):
    """{patient id: (draws with their results, infusions, symptom scores)}, each by id.
    Draws come with their results, in one query: a draw without results has nothing to
    export."""
    patient_ids = list(patient_ids)
    if not patient_ids:
        return {}
    draws, infusions, scores = defaultdict(list), defaultdict(list), defaultdict(list)
    by_id = {}
    for row in _result_rows(patient_ids):
        result = ResultRow._make(row[:_SPLIT])
        draw = by_id.get(result.draw_id)
        if draw is None:
            draw = by_id[result.draw_id] = Draw(result.draw_id, *row[_SPLIT:], [])
            draws[draw.patient_id].append(draw)
        draw.results.append(result)
    for infusion in _person_rows(Infusion, InfusionRow, patient_ids):
        infusions[infusion.patient_id].append(infusion)
    for score in _person_rows(SymptomScore, ScoreRow, patient_ids):
        scores[score.patient_id].append(score)
    return {pk: (draws[pk], infusions[pk], scores[pk]) for pk in patient_ids}


# What the exports read of a course and of a medicine (the rest is left deferred, as
# .only() leaves it).
_COURSE_FIELDS = {
    "id", "patient_id", "product", "product_other", "elemental_mg", "schedule",
    "schedule_other", "with_vitamin_c", "started_on", "ended_on", "stop_reason", "notes",
}  # fmt: skip
_MEDICATION_FIELDS = {
    "id", "patient_id", "drug", "drug_other", "dose", "dose_unit", "started_on",
    "stopped_on", "stop_reason", "notes",
}  # fmt: skip


def _instances(model, wanted, patient_ids) -> list:
    """These people's `model`s with the `wanted` fields read, made by Model.from_db."""
    fields = [f.attname for f in model._meta.concrete_fields if f.attname in wanted]
    sql = (
        f"SELECT {_select(model, 't', fields)} FROM {_table(model, 't')} "
        f"{_of(model, 't', patient_ids)}"
    )
    return [model.from_db(connection.alias, fields, row) for row in _fetch(sql, patient_ids)]


def export_treatments(patient_ids):
    """{patient id: {"courses": oral iron courses, "medications": medicines}}: model
    instances (a person has few), each medicine's events prefetched; three queries, two
    when none of them has a medicine."""
    patient_ids = list(patient_ids)
    courses, medications = defaultdict(list), defaultdict(list)
    if patient_ids:
        for course in _instances(OralIronCourse, _COURSE_FIELDS, patient_ids):
            courses[course.patient_id].append(course)
        found = _instances(Medication, _MEDICATION_FIELDS, patient_ids)
        prefetch_related_objects(found, "events")
        for medication in found:
            medications[medication.patient_id].append(medication)
    return {pk: {"courses": courses[pk], "medications": medications[pk]} for pk in patient_ids}
