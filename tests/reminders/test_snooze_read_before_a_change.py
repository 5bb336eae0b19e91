"""A snooze or dismiss acts on the re-check its page showed. The reminder is read at the
request's start, before the person's row is locked: a new result, an infusion or another
member's snooze may close or move it before the change. Saved as read, it came back open
beside its successor (a 500), wiped the successor from the worklist, or put back the rule
and date it had been moved from; now nothing changes and the caller is told."""

import datetime
import threading
import time

import pytest
from django.db import connection
from django.urls import reverse

from rlsapp.reminders import services
from rlsapp.reminders.models import Reminder
from tests.conftest import client_for

from .helpers import (
    TwoChanges,
    add_ferritin,
    add_infusion,
    open_reminder,
    planned_recheck,
    stored_recheck,
)

INFUSED = datetime.date(2025, 3, 3)
SNOOZE_TO = datetime.date(2025, 9, 1)
# How long the new result holds the person's row once its re-check is settled.
OVERLAP_SECONDS = 1.5


def as_read(reminder):
    """The re-check as a page read it, before what the test changes next."""
    return Reminder.objects.select_related("patient").get(pk=reminder.pk)


def closed_by_a_new_result(patient):
    add_infusion(patient, INFUSED)
    add_ferritin(patient, datetime.date(2025, 4, 28), 400)
    read = as_read(open_reminder(patient))
    add_ferritin(patient, datetime.date(2025, 7, 21), 300)  # closes it, opens the next
    return read


def moved_by_an_infusion(patient):
    add_ferritin(patient, datetime.date(2025, 1, 6), 40)
    read = as_read(open_reminder(patient))
    add_infusion(patient, INFUSED)  # the same row, now the first re-check after it
    return read


def snoozed_by_someone_else(patient):
    add_infusion(patient, INFUSED)
    read = as_read(open_reminder(patient))
    services.snooze(as_read(read), datetime.date(2025, 6, 2))
    return read


@pytest.mark.parametrize(
    "change", [closed_by_a_new_result, moved_by_an_infusion, snoozed_by_someone_else]
)
@pytest.mark.parametrize("action", ["snooze", "dismiss"])
def test_a_recheck_changed_after_it_was_read_is_left_as_it_is(patient, change, action):
    read = change(patient)
    before = list(Reminder.objects.filter(patient=patient).order_by("pk").values())
    with pytest.raises(services.RecheckChanged):
        if action == "snooze":
            services.snooze(read, SNOOZE_TO)
        else:
            services.dismiss(read)
    assert list(Reminder.objects.filter(patient=patient).order_by("pk").values()) == before
    if change is not snoozed_by_someone_else:  # (a snooze is not the plan's to redo)
        assert stored_recheck(patient) == planned_recheck(patient)


def test_the_recheck_as_read_is_snoozed_from_its_row_as_committed(patient):
    add_infusion(patient, INFUSED)
    read = as_read(open_reminder(patient))
    patient.due_soon_days = 3
    from rlsapp.tracking import services as records

    records.save_person(patient)  # the same rule and date: still the re-check read
    services.snooze(read, SNOOZE_TO)
    snoozed = open_reminder(patient)
    assert (snoozed.pk, snoozed.status, snoozed.remind_on) == (read.pk, "snoozed", SNOOZE_TO)
    assert snoozed.soon_from == SNOOZE_TO - datetime.timedelta(days=3)
    assert (read.status, read.remind_on) == ("snoozed", SNOOZE_TO)  # the caller's too


@pytest.mark.parametrize("action", ["snooze", "dismiss"])
def test_the_page_says_the_recheck_changed_and_shows_it(owner, patient, action, monkeypatch):
    read = closed_by_a_new_result(patient)
    # The page read the re-check before the new result came in.
    real = services.snooze if action == "snooze" else services.dismiss
    monkeypatch.setattr(services, action, lambda reminder, *args: real(read, *args))
    url = reverse(f"reminder_{action}", args=[open_reminder(patient).pk])
    response = client_for(owner).post(url, {"weeks": "2"}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    done = {"snooze": "snoozed", "dismiss": "dismissed"}[action]
    assert f"The re-check changed while this page was open, so nothing was {done}." in page
    assert open_reminder(patient).status == "upcoming"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL to run it)"
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["snooze", "dismiss"])
def test_a_snooze_waiting_for_a_new_result_to_commit_is_told(monkeypatch, patient, action):
    # Two requests at once, each with its connection: the snooze read the re-check, then
    # waits for the person's row while a new result closes that re-check and commits.
    add_infusion(patient, INFUSED)
    add_ferritin(patient, datetime.date(2025, 4, 28), 400)
    read = as_read(open_reminder(patient))
    settled = threading.Event()
    real_store_status = services.store_status

    def store_status(*args):
        real_store_status(*args)
        if threading.current_thread() is changes.first:
            settled.set()
            time.sleep(OVERLAP_SECONDS)  # the snooze now waits for the person's row

    monkeypatch.setattr(services, "store_status", store_status)

    def act():
        if action == "snooze":
            services.snooze(read, SNOOZE_TO)
        else:
            services.dismiss(read)

    changes = TwoChanges(lambda: add_ferritin(patient, datetime.date(2025, 7, 21), 300), act)
    errors = changes.run(settled)
    assert set(errors) == {"then"} and isinstance(errors["then"], services.RecheckChanged)
    assert stored_recheck(patient) == planned_recheck(patient)
