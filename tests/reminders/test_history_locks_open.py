"""The re-check's history read also locks and reads the open re-check (PostgreSQL), as
settle_reminder's own query would: the same row, value for value and type for type."""

import datetime
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from rlsapp.reminders import services as scheduler
from rlsapp.reminders.history_rows import history_for
from rlsapp.reminders.models import Reminder

from .helpers import add_ferritin, add_infusion, open_reminder

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="rows are locked on PostgreSQL"
)


def fields(reminder):
    return [
        (f.attname, getattr(reminder, f.attname), type(getattr(reminder, f.attname)))
        for f in Reminder._meta.concrete_fields
    ]


def test_the_open_recheck_read_with_the_history_is_the_one_its_own_query_reads(patient):
    start = datetime.date(2026, 1, 5)
    add_infusion(patient, start)
    add_ferritin(patient, start + datetime.timedelta(weeks=8), 400)
    reminder = open_reminder(patient)
    # Every kind of column set: times with microseconds, a UUID, text with quotes.
    Reminder.objects.filter(pk=reminder.pk).update(
        status=Reminder.SENT,
        snoozed_until=start,
        send_after=timezone.now().replace(microsecond=123456),
        claimed_at=timezone.now(),
        claim=uuid.uuid4(),
        attempts=2,
        last_error='refused: "quoted" \\ and ü',
        sent_at=timezone.now(),
    )
    plan = scheduler.plan_for(patient)
    [read_with_history] = history_for(patient, lock_open=True).open_rechecks
    [read_alone] = scheduler._locked_reminders(patient, plan)
    assert fields(read_with_history) == fields(read_alone)
    assert read_with_history._state.adding is False


def test_without_an_open_recheck_none_is_read(patient):
    assert history_for(patient, lock_open=True).open_rechecks == []
    assert history_for(patient).open_rechecks is None
