"""The re-check's writes that run on every change (the worklist row's upsert, closing the
open re-check and inserting the next) run as prepared statements on PostgreSQL, and write
what they wrote unprepared, run after run with other values on the same connection."""

import datetime

import pytest
from django.db import connection

from rlsapp.reminders.models import PersonStatus, Reminder

from .helpers import add_ferritin

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements on PostgreSQL"
)


def prepared():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_the_worklist_row_and_the_next_recheck_are_prepared(patient, today):
    start = today - datetime.timedelta(weeks=30)
    # Below, above, below and unknown: each result closes the re-check and schedules the
    # next, with the row's values None one time and set the next.
    for weeks, value in [(0, 40.0), (8, 180.0), (16, 35.0), (24, 90.0)]:
        add_ferritin(patient, start + datetime.timedelta(weeks=weeks), value)
        row = PersonStatus.objects.get(patient=patient)
        assert row.latest_ferritin == value
        assert row.latest_ferritin_on == start + datetime.timedelta(weeks=weeks)
        assert row.name == patient.name
        (open_one,) = Reminder.objects.open().filter(patient=patient)
        assert (row.recheck_remind_on, row.recheck_reason) == (
            open_one.remind_on,
            open_one.reason,
        )
    assert Reminder.objects.filter(patient=patient, status=Reminder.DONE).count() == 3
    statements = prepared()
    table = PersonStatus._meta.db_table
    assert any(s.startswith("WITH") and f'INSERT INTO "{table}"' in s for s in statements)
    assert any(s.startswith('WITH "closed" AS (UPDATE') for s in statements)
