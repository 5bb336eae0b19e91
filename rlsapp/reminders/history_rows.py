"""The ferritin results, infusions and oral iron courses the re-check rules rest on, read
in one query (reminders.services.sync_patient and plan_for read them here), with the
digest of the past episodes' estimates stored for the chart (tracking/past_estimates.py)."""

import dataclasses
import functools
import json
import operator
from typing import NamedTuple

from django.db import connection

from rlsapp.domain import products, recheck
from rlsapp.tracking import compiled, fit_inputs
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, PastEstimates, Patient
from rlsapp.tracking.treatments import OralIronCourse

from .models import Reminder

# What each row of history_for's one query is, and its columns: kind, day, end day, id,
# number, four texts, flag.
_FERRITIN, _INFUSION, _COURSE, _PAST, _OPEN = "f", "i", "c", "p", "r"
_DAY_AND_ID = operator.itemgetter(1, 3)


class History(NamedTuple):
    points: list  # kinetics.Point, by day
    infusions: list  # recheck.InfusionRecord, newest first
    past_digest: str | None  # of the past estimates stored for the chart; None: none stored
    # The open re-checks, locked, when asked for on PostgreSQL; else None.
    open_rechecks: list | None = None


@functools.cache
def _history_sql(with_courses: bool, with_open: bool = False) -> tuple[str, int]:
    """(SQL, placeholders) of history_for's one query: the ferritin results with their
    draw's fields, the infusions, with_courses the oral iron courses, and the digest of
    the stored past estimates (UNION ALL); with_open the open re-checks too, locked in id
    order as settle_reminder locks them, each row as JSON (PostgreSQL).

    Written by hand from the models' table and column names (as charts/queries does), once
    per process: it holds no data, and compiling the ORM's union cost more than running it.
    Typed NULLs: PostgreSQL settles each column's type across the branches."""
    c = compiled.column
    join = (
        f"{compiled.table(LabResult)} INNER JOIN {compiled.table(LabDraw)} "
        f"ON {c(LabDraw, 'pk')} = {c(LabResult, 'draw')}"
    )
    no_day, no_number = "CAST(NULL AS date)", "CAST(NULL AS double precision)"
    branches = [
        f"SELECT '{_FERRITIN}', {c(LabDraw, 'drawn_on')}, {no_day}, {c(LabResult, 'draw')}, "
        f"{c(LabResult, 'value')}, {c(LabResult, 'comparator')}, {c(LabDraw, 'lab_name')}, "
        f"{c(LabDraw, 'left_out_reason')}, {c(LabDraw, 'left_out_note')}, "
        f"{c(LabDraw, 'after_infusion')} FROM {join} "
        f"WHERE {c(LabDraw, 'patient')} = %s AND {c(LabResult, 'analyte')} = 'ferritin'",
        f"SELECT '{_INFUSION}', {c(Infusion, 'given_on')}, {no_day}, {c(Infusion, 'pk')}, "
        f"{c(Infusion, 'dose_mg')}, {c(Infusion, 'product')}, '', '', '', FALSE "
        f"FROM {compiled.table(Infusion)} WHERE {c(Infusion, 'patient')} = %s",
    ]
    if with_courses:  # else no course leaves a draw out: none are read
        course = OralIronCourse
        branches.append(
            f"SELECT '{_COURSE}', {c(course, 'started_on')}, {c(course, 'ended_on')}, "
            f"{c(course, 'pk')}, {no_number}, {c(course, 'product')}, "
            f"{c(course, 'product_other')}, '', '', FALSE "
            f"FROM {compiled.table(course)} WHERE {c(course, 'patient')} = %s"
        )
    branches.append(
        f"SELECT '{_PAST}', {no_day}, {no_day}, {c(PastEstimates, 'patient')}, {no_number}, "
        f"{c(PastEstimates, 'digest')}, '', '', '', FALSE FROM {compiled.table(PastEstimates)} "
        f"WHERE {c(PastEstimates, 'patient')} = %s"
    )
    if not with_open:
        return " UNION ALL ".join(branches), len(branches)
    statuses = ", ".join(f"'{status}'" for status in Reminder.OPEN)
    table, key = '"open_rechecks"', compiled.column(Reminder, "pk").rpartition(".")[2]
    branches.append(
        f"SELECT '{_OPEN}', {no_day}, {no_day}, {table}.{key}, {no_number}, "
        f"CAST(row_to_json({table}) AS text), '', '', '', FALSE FROM {table}"
    )
    locked = (
        f"WITH {table} AS (SELECT * FROM {compiled.table(Reminder)} "
        f"WHERE {c(Reminder, 'patient')} = %s AND {c(Reminder, 'status')} IN ({statuses}) "
        f"ORDER BY {c(Reminder, 'pk')} FOR UPDATE) "
    )
    return locked + " UNION ALL ".join(branches), len(branches)


def history_for(patient: Patient, lock_open=False) -> History:
    """The ferritin results and infusions the rules rest on, with left-out draws marked as
    the chart marks them (tracking.fit_inputs): one query, any history size. `lock_open`:
    with the open re-checks, locked (PostgreSQL), which settle_reminder would otherwise lock
    in a query of its own."""
    # The lock and row_to_json are PostgreSQL's; SQLite lets one writer in at a time anyway.
    lock_open = lock_open and connection.vendor == "postgresql"
    sql, branches = _history_sql(bool(patient.leave_out_oral_iron), lock_open)
    # Prepared on PostgreSQL: planned once per connection (its parameters are ids).
    with compiled.prepared_cursor(connection) as cursor:
        cursor.execute(sql, [patient.pk] * branches)
        found = cursor.fetchall()
    rows = {_FERRITIN: [], _INFUSION: [], _COURSE: [], _PAST: [], _OPEN: []}
    for row in found:  # each row as read, its kind first (not unpacked: a history is long)
        rows[row[0]].append(row)
    if connection.vendor == "sqlite":
        for kind in rows:
            rows[kind] = [
                (kind, compiled.as_date(day), compiled.as_date(end), *rest)
                for _, day, end, *rest in rows[kind]
            ]
    # Each kind in its own order (day, then id): courses and infusions newest first.
    rows[_COURSE].sort(key=_DAY_AND_ID, reverse=True)
    periods = fit_inputs.left_out_periods(
        patient,
        [
            fit_inputs.period(start, end, product, other)
            for _, start, end, _, _, product, other, *_ in rows[_COURSE]
        ],
    )
    # The rules sort by day, keeping this order within one: of two draws on one day, the
    # later-entered is the latest, as everywhere (LabResult.objects.latest_of).
    rows[_FERRITIN].sort(key=_DAY_AND_ID)
    points = [
        fit_inputs.fit_point(day, value, comparator, lab, reason, after, periods)
        for _, day, _, _, value, comparator, lab, reason, _, after in rows[_FERRITIN]
    ]
    if points and points[-1].excluded:
        # The latest is shown on the worklist and in the emails: with why it is left out.
        _, day, _, _, _, _, _, reason, note, _ = rows[_FERRITIN][-1]
        words = fit_inputs.left_out_words(day, reason, note, periods)
        points[-1] = dataclasses.replace(points[-1], left_out=words)
    rows[_INFUSION].sort(key=_DAY_AND_ID, reverse=True)
    infusions = [
        recheck.InfusionRecord(
            day, product, int(dose), f"{products.short_name(product)} {int(dose)} mg"
        )
        for _, day, _, _, dose, product, *_ in rows[_INFUSION]
    ]
    past = rows[_PAST]
    opened = sorted((row[3], row[5]) for row in rows[_OPEN]) if lock_open else None
    return History(
        points,
        infusions,
        past[0][5] if past else None,
        None if opened is None else [_reminder(text) for _, text in opened],
    )


_REMINDER_FIELDS = [(f.column, f.to_python) for f in Reminder._meta.concrete_fields]
_REMINDER_NAMES = [f.attname for f in Reminder._meta.concrete_fields]


def _reminder(text: str) -> Reminder:
    """A re-check from its row as PostgreSQL's row_to_json writes it: each column read as
    its field reads text (ISO dates and times, a UUID), as from_db makes it."""
    row = json.loads(text)
    values = [None if row[c] is None else read(row[c]) for c, read in _REMINDER_FIELDS]
    return Reminder.from_db(connection.alias, _REMINDER_NAMES, values)
