"""The one query behind every chart, whatever the length of the history.

A ten-year history is hundreds of results and symptom scores: rows come back as plain
tuples, and the SQL is written here from the models' own table and column names
(as interop/export_records.py does), because building the ORM's six-part UNION cost
more than PostgreSQL takes to run it.
"""

import functools
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from django.db import connection, connections

from rlsapp.domain import products, units
from rlsapp.tracking import compiled
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, PastEstimates, SymptomScore
from rlsapp.tracking.treatments import Medication, MedicationEvent, OralIronCourse

from .treatments import COURSE, EVENT, MEDICINE, Treatments

RESULT, INFUSION, SCORE, PAST = "r", "i", "s", "p"


class Result(NamedTuple):
    analyte: str
    day: date
    value: float
    comparator: str
    lab_name: str
    left_out_reason: str = ""  # the draw's (tracking.fit_inputs reads these three)
    left_out_note: str = ""
    after_infusion: bool = False
    draw_id: int = 0  # which draw: two labs on one day are two rows of the report


class InfusionRow(NamedTuple):
    day: date
    dose_mg: int
    product: str
    product_label: str

    @property
    def label(self):
        return f"{self.product_label} {self.dose_mg} mg"


@dataclass
class History:
    """Everything the charts draw for one patient, oldest first."""

    results: list[Result] = field(default_factory=list)
    infusions: list[InfusionRow] = field(default_factory=list)
    scores: list[tuple[date, int]] = field(default_factory=list)  # (day, severity) in order
    treatments: Treatments = field(default_factory=Treatments)
    # The past episodes' estimates stored for the chart: (digest, JSON), or None
    # (tracking/past_estimates.py).
    past: tuple[str, str] | None = None

    def series(self, analyte):
        return [r for r in self.results if r.analyte == analyte]


# The UNION's columns after the row's kind: `number` is a dose, a score, a course's or
# medicine's id, an event's medicine or a result's draw; `code` and `other` a product, drug
# or analyte and its other name or comparator; `sort` orders the rows of one day.
HISTORY_COLUMNS = (
    "day", "value", "number", "code", "other", "lab", "reason", "note", "after", "end", "sort",
)  # fmt: skip
# What a branch without the column gives: typed, so that PostgreSQL settles each column's
# type whichever branch comes first. NULL, not '': the database writes and sends no value
# for it, and a long history is hundreds of rows with most of their columns unused.
_NONE = {
    "value": "CAST(NULL AS double precision)",
    "code": "CAST(NULL AS text)",
    "other": "CAST(NULL AS text)",
    "lab": "CAST(NULL AS text)",
    "reason": "CAST(NULL AS text)",
    "note": "CAST(NULL AS text)",
    "after": "CAST(NULL AS boolean)",
    "end": "CAST(NULL AS date)",
    "sort": "CAST(NULL AS bigint)",
    "day": "CAST(NULL AS date)",
    "number": "CAST(NULL AS bigint)",
    "days": "CAST(NULL AS date[])",
    "severities": "CAST(NULL AS integer[])",
}
# On PostgreSQL the scores come as ONE row of two arrays, in order (by day, then severity):
# a ten-year history has hundreds of scores, and a row each was most of the query's rows,
# each with all the columns above, and then sorted here. SQLite has no arrays: a row each.
SCORE_ARRAYS = ("days", "severities")
# Each kind of row: its model and the fields its columns read. `sort` (the id) orders the
# rows of one day where nothing else does: a score is ordered by its day and severity, a
# result by its day and draw (`number`).
_RECORDS = (
    (INFUSION, Infusion, {"day": "given_on", "number": "dose_mg", "code": "product",
                          "other": "product_other", "sort": "pk"}),
    (SCORE, SymptomScore, {"day": "recorded_on", "number": "severity"}),
    (COURSE, OralIronCourse, {"day": "started_on", "number": "pk", "code": "product",
                              "other": "product_other", "end": "ended_on", "sort": "pk"}),
    (MEDICINE, Medication, {"day": "started_on", "number": "pk", "code": "drug",
                            "other": "drug_other", "end": "stopped_on", "sort": "pk"}),
    (EVENT, MedicationEvent, {"day": "happened_on", "number": "medication", "code": "kind",
                              "sort": "pk"}),
)  # fmt: skip
# A result's columns: (model, field); its draw's fields come through the join.
_RESULT = {
    "day": (LabDraw, "drawn_on"),
    "value": (LabResult, "value"),
    "number": (LabResult, "draw"),
    "code": (LabResult, "analyte"),
    "other": (LabResult, "comparator"),
    "lab": (LabDraw, "lab_name"),
    "reason": (LabDraw, "left_out_reason"),
    "note": (LabDraw, "left_out_note"),
    "after": (LabDraw, "after_infusion"),
}


def _select(kind, columns, tables, person, names=HISTORY_COLUMNS, also=""):
    values = ", ".join(columns.get(name, _NONE.get(name)) for name in names)
    return f"SELECT '{kind}', {values} FROM {tables} WHERE {person} = %s{also}"


def _score_arrays(names):
    """The scores' branch as one row: its days and severities, each an array in the same
    order (an aggregate without GROUP BY gives one row, its arrays NULL without scores)."""
    day = compiled.column(SymptomScore, "recorded_on")
    severity = compiled.column(SymptomScore, "severity")
    order = f"ORDER BY {day}, {severity}"
    columns = {
        "days": f"array_agg({day} {order})",
        "severities": f"CAST(array_agg({severity} {order}) AS integer[])",
    }
    table = compiled.table(SymptomScore)
    return _select(SCORE, columns, table, compiled.column(SymptomScore, "patient"), names)


@functools.cache
def history_sql(analytes=None):
    """(SQL, number of placeholders): one person's results with their draw's fields,
    infusions, symptom scores, oral iron courses, medicines, medicine events and the past
    episodes' stored estimates in ONE query (UNION ALL), unordered. The chart JSON's
    budget is 4 queries with the session, the user and the person. `analytes`: the
    results of these tests alone (a tuple of codes).

    Written once per process: the text holds no data, only the models' table and column
    names as the database quotes them."""
    arrays = connections["default"].vendor == "postgresql"
    names = HISTORY_COLUMNS + SCORE_ARRAYS if arrays else HISTORY_COLUMNS
    result = {name: compiled.column(*field) for name, field in _RESULT.items()}
    draws = (
        f"{compiled.table(LabResult)} INNER JOIN {compiled.table(LabDraw)} "
        f"ON {compiled.column(LabDraw, 'pk')} = {compiled.column(LabResult, 'draw')}"
    )
    also = ""
    if analytes is not None:
        if not set(analytes) <= set(units.ANALYTES):  # codes written into the text
            raise ValueError(f"not a test: {analytes}")
        codes = ", ".join(f"'{code}'" for code in analytes)
        also = f" AND {compiled.column(LabResult, 'analyte')} IN ({codes})"
    branches = [_select(RESULT, result, draws, compiled.column(LabDraw, "patient"), names, also)]
    for kind, model, fields in _RECORDS:
        if kind == SCORE and arrays:
            branches.append(_score_arrays(names))
            continue
        columns = {name: compiled.column(model, field) for name, field in fields.items()}
        branches.append(
            _select(kind, columns, compiled.table(model), compiled.column(model, "patient"), names)
        )
    past = {"code": compiled.column(PastEstimates, "digest")}
    past["other"] = compiled.column(PastEstimates, "estimates")
    table, person = compiled.table(PastEstimates), compiled.column(PastEstimates, "patient")
    branches.append(_select(PAST, past, table, person, names))
    return " UNION ALL ".join(branches), len(branches)


# Each kind's rows by day, then draw (a result) or id: sorted here, kind by kind, as the
# rows arrive in runs of their kind; in SQL the whole UNION would be sorted as one.
_BY_DRAW = itemgetter(1, 3)
_BY_ID = itemgetter(1, len(HISTORY_COLUMNS))
_KIND = itemgetter(0)
# A result row's columns in Result's order; made into Results as NamedTuple._make makes
# them (tuple.__new__), without a Python call per row.
_RESULT_FIELDS = itemgetter(4, 1, 2, 5, 6, 7, 8, 9, 3)
_new_result = functools.partial(tuple.__new__, Result)
_SCORE_FIELDS = itemgetter(1, 3)
_ARRAYS = itemgetter(len(HISTORY_COLUMNS) + 1, len(HISTORY_COLUMNS) + 2)
_TREATMENT_FIELDS = itemgetter(0, 1, 3, 4, 5, 10)


def _sqlite_rows(rows):
    """Rows as PostgreSQL gives them: SQLite hands a UNION's dates back as text and its
    booleans as 0 or 1."""
    return [
        (kind, compiled.as_date(day), value, number, code, other, lab, reason, note,
         None if after is None else bool(after), end, sort)
        for kind, day, value, number, code, other, lab, reason, note, after, end, sort in rows
    ]  # fmt: skip


def load_history(patient, analytes=None) -> History:
    """`analytes`: the results of only these tests (a tuple of codes), for what shows no
    other (the charts draw ferritin, hemoglobin, hematocrit and TSAT)."""
    sql, branches = history_sql(analytes)
    # Prepared: planned once per connection, as the person's id is its only parameter.
    with compiled.prepared_cursor(connection) as cursor:
        cursor.execute(sql, [patient.pk] * branches)
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":
        rows = _sqlite_rows(rows)
    # The UNION's branches come back one after another: each kind in a run or a few.
    kinds = {RESULT: [], INFUSION: [], SCORE: [], PAST: []}
    treatment_rows = []
    for kind, run in groupby(rows, _KIND):
        kinds.get(kind, treatment_rows).extend(run)
    results = kinds[RESULT]
    results.sort(key=_BY_DRAW)
    infusions = kinds[INFUSION]
    infusions.sort(key=_BY_ID)
    history = History(
        list(map(_new_result, map(_RESULT_FIELDS, results))),
        [
            InfusionRow(row[1], row[3], row[4], products.short_name(row[4], row[5]))
            for row in infusions
        ],
        _scores(kinds[SCORE], connection.vendor == "postgresql"),
    )
    if kinds[PAST]:
        [row] = kinds[PAST]
        history.past = (row[4], row[5])
    treatment_rows.sort(key=_BY_ID)
    for kind, day, number, code, other, end in map(_TREATMENT_FIELDS, treatment_rows):
        history.treatments.add(kind, day, number, code, other, compiled.as_date(end))
    return history


def _scores(rows, arrays):
    """(day, severity) by day, then severity: from the one row of two arrays, already in
    that order (PostgreSQL: history_sql), or from a row each."""
    if not arrays:
        return sorted(map(_SCORE_FIELDS, rows))
    [row] = rows
    days, severities = _ARRAYS(row)
    return list(zip(days, severities, strict=True)) if days else []
