"""A snooze, a dismiss or an admin edit of the re-check while a new draw reschedules the
same person (PostgreSQL): each locks the person's row before the open re-check's, so the
second waits instead of the two deadlocking (PostgreSQL then cancels one: a 500 and a lost
change)."""

import datetime
import threading

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import RequestFactory

from rlsapp.reminders import services as scheduler
from rlsapp.reminders.models import Reminder
from rlsapp.tracking.models import Patient

from .helpers import (
    ON_POSTGRESQL_COMMITTED,
    TwoChanges,
    add_ferritin,
    add_infusion,
    open_reminder,
)

pytestmark = ON_POSTGRESQL_COMMITTED

# How long the snooze waits, after changing the re-check, for the draw to lock the person
# and read the history: the draw does so at once unless the person's row keeps it waiting.
OVERLAP_SECONDS = 2.5


def _admin_edit(reminder):
    # As the admin's change page saves it: inside its transaction.
    edited = Reminder.objects.get(pk=reminder.pk)
    edited.notes = "Moved by the operator"
    with transaction.atomic():
        admin.site._registry[Reminder].save_model(RequestFactory().post("/"), edited, None, True)


@pytest.mark.parametrize("action", ["snooze", "dismiss", "admin"])
def test_a_snooze_and_a_draw_at_once_both_go_through(monkeypatch, patient, action):
    start = datetime.date(2026, 1, 5)
    add_infusion(patient, start)
    add_ferritin(patient, start + datetime.timedelta(weeks=8), 400)
    reminder = open_reminder(patient)
    assert reminder is not None
    changed, draw_read = threading.Event(), threading.Event()
    real_store_recheck, real_history_for = scheduler.store_recheck, scheduler.history_for

    def store_recheck(patient_id, found):
        if threading.current_thread() is changes.first:
            changed.set()
            draw_read.wait(OVERLAP_SECONDS)
        return real_store_recheck(patient_id, found)

    def history_for(person, **read):
        if threading.current_thread() is changes.then:
            draw_read.set()
        return real_history_for(person, **read)

    monkeypatch.setattr(scheduler, "store_recheck", store_recheck)
    monkeypatch.setattr(scheduler, "history_for", history_for)

    def first_change():
        if action == "snooze":
            scheduler.snooze(reminder, scheduler.snooze_range()[0])
        elif action == "dismiss":
            scheduler.dismiss(reminder)
        else:
            _admin_edit(reminder)

    def second_change():
        add_ferritin(patient, start + datetime.timedelta(weeks=14), 250)

    changes = TwoChanges(first_change, second_change)
    assert changes.run(changed) == {}
    assert patient.draws.count() == 2
    assert Reminder.objects.filter(patient=patient).exists()


def test_an_erase_while_a_draw_reschedules_is_not_a_deadlock(monkeypatch, patient):
    # erase_person deletes the person's reminders before the person's row; locked first,
    # the row keeps the draw waiting (its person then gone) instead of both waiting.
    from django.db.models.signals import post_delete

    from rlsapp.tracking import services

    start = datetime.date(2026, 1, 5)
    add_infusion(patient, start)
    add_ferritin(patient, start + datetime.timedelta(weeks=8), 400)
    assert open_reminder(patient) is not None
    reminders_gone, draw_read = threading.Event(), threading.Event()
    real_history_for = scheduler.history_for

    def reminder_deleted(**kwargs):
        if threading.current_thread() is changes.first and not reminders_gone.is_set():
            reminders_gone.set()
            draw_read.wait(OVERLAP_SECONDS)

    def history_for(person, **read):
        if threading.current_thread() is changes.then:
            draw_read.set()
        return real_history_for(person, **read)

    post_delete.connect(reminder_deleted, sender=Reminder, weak=False)
    monkeypatch.setattr(scheduler, "history_for", history_for)
    erased = Patient.objects.get(pk=patient.pk)
    changes = TwoChanges(
        lambda: services.erase_person(erased),  # first: the erase
        lambda: add_ferritin(patient, start + datetime.timedelta(weeks=14), 250),  # the draw
    )
    try:
        errors = changes.run(reminders_gone)
    finally:
        post_delete.disconnect(reminder_deleted, sender=Reminder)
    assert "first" not in errors
    assert "deadlock" not in str(errors.get("then", ""))
    assert not Patient.objects.filter(pk=patient.pk).exists()
