"""Reminders follow the records and settings they rest on (rlsapp/reminders/services.py)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from rlsapp.interop.importer import import_rows
from rlsapp.interop.parsed import ParsedImport, ParsedInfusion
from rlsapp.reminders import services
from rlsapp.reminders.models import Reminder
from rlsapp.tracking import services as records
from rlsapp.tracking.models import Patient
from tests.tracking.helpers import draw_post, patient_post

from .helpers import add_ferritin, add_infusion, local, open_reminder

INFUSED = datetime.date(2025, 3, 3)


def test_an_infusion_schedules_the_first_recheck(patient):
    add_infusion(patient, INFUSED)
    reminder = open_reminder(patient)
    assert (reminder.kind, reminder.due_on, reminder.remind_on) == (
        "first",
        datetime.date(2025, 4, 28),
        datetime.date(2025, 4, 28),
    )
    assert reminder.reason == "8 weeks after the infusion on 3 March"
    assert reminder.status == "upcoming"
    assert reminder.soon_from == datetime.date(2025, 4, 14)
    assert reminder.send_after == local(datetime.date(2025, 4, 28), hour=8)


def test_a_result_in_the_spike_weeks_leaves_the_first_recheck_open(patient):
    add_infusion(patient, INFUSED)
    first = open_reminder(patient)
    add_ferritin(patient, INFUSED + datetime.timedelta(weeks=2), 600)
    assert open_reminder(patient).pk == first.pk
    assert open_reminder(patient).kind == "first"


def test_a_qualifying_result_closes_the_open_recheck_and_schedules_the_next(patient):
    add_infusion(patient, INFUSED)
    first = open_reminder(patient)
    add_ferritin(patient, datetime.date(2025, 4, 7), 450)  # 5 weeks: not yet the first re-check
    assert open_reminder(patient).pk == first.pk
    add_ferritin(patient, datetime.date(2025, 4, 14), 430)  # 6 weeks

    first.refresh_from_db()
    assert first.status == "done" and first.closed_at is not None
    nxt = open_reminder(patient)
    assert (nxt.kind, nxt.due_on) == ("routine", datetime.date(2025, 7, 7))
    assert nxt.reason == "12 weeks after the last ferritin result on 14 April"


def test_recording_a_result_through_the_form_schedules_a_recheck(owner_client, patient, today):
    response = owner_client.post(
        reverse("draw_create", args=[patient.pk]), draw_post(today, ferritin="150")
    )
    assert response.status_code == 302
    assert open_reminder(patient).due_on == today + datetime.timedelta(weeks=12)


def test_changing_the_settings_moves_the_open_recheck_and_sends_it_afresh(patient):
    add_infusion(patient, INFUSED)
    reminder = open_reminder(patient)
    Reminder.objects.filter(pk=reminder.pk).update(status="sent", sent_at=local(INFUSED))

    patient.first_recheck_weeks = 6
    patient.due_soon_days = 30
    records.save_person(patient)

    moved = open_reminder(patient)
    assert moved.pk == reminder.pk
    assert (moved.due_on, moved.status, moved.sent_at) == (
        datetime.date(2025, 4, 14),
        "upcoming",
        None,
    )
    assert moved.soon_from == datetime.date(2025, 3, 15)
    assert moved.reason == "6 weeks after the infusion on 3 March"


def test_changing_only_the_due_soon_window_keeps_the_status(patient):
    add_infusion(patient, INFUSED)
    reminder = open_reminder(patient)
    Reminder.objects.filter(pk=reminder.pk).update(status="sent", sent_at=local(INFUSED))
    patient.due_soon_days = 30
    records.save_person(patient)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.soon_from) == ("sent", datetime.date(2025, 3, 29))


def test_deleting_the_result_that_closed_it_reopens_the_earlier_recheck(patient):
    add_infusion(patient, INFUSED)
    first = open_reminder(patient)
    draw = add_ferritin(patient, datetime.date(2025, 4, 14), 450)
    assert open_reminder(patient).pk != first.pk
    records.delete_draw(draw)
    assert open_reminder(patient).pk == first.pk
    assert Reminder.objects.filter(patient=patient).count() == 1


def test_moving_a_draw_to_a_later_date_reschedules(patient):
    add_infusion(patient, INFUSED)
    draw = add_ferritin(patient, datetime.date(2025, 4, 7), 450)
    draw.drawn_on = datetime.date(2025, 4, 14)
    records.save_draw(draw, None)
    assert open_reminder(patient).due_on == datetime.date(2025, 7, 7)


def test_a_dismissed_recheck_stays_dismissed_until_the_dates_change(patient):
    add_infusion(patient, INFUSED)
    services.dismiss(open_reminder(patient))
    records.save_person(patient)  # nothing changed: still dismissed
    assert open_reminder(patient) is None

    add_ferritin(patient, datetime.date(2025, 4, 14), 450)
    assert open_reminder(patient).kind == "routine"


def test_a_snooze_survives_an_unrelated_recompute(patient):
    add_infusion(patient, INFUSED)
    reminder = open_reminder(patient)
    services.snooze(reminder, datetime.date(2025, 5, 12))
    patient.name = "Alice B."
    records.save_person(patient)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.remind_on, reminder.due_on) == (
        "snoozed",
        datetime.date(2025, 5, 12),
        datetime.date(2025, 4, 28),
    )
    assert reminder.send_after == local(datetime.date(2025, 5, 12), hour=8)


def test_below_threshold_and_phosphate_notes_are_kept_with_the_reminder(patient):
    add_infusion(patient, datetime.date(2024, 12, 10), "fcm")
    add_ferritin(patient, datetime.date(2025, 2, 20), 90)
    reminder = open_reminder(patient)
    assert reminder.below_since == datetime.date(2025, 2, 20)
    assert any(
        "below the threshold of 100 µg/L since 20 February 2025" in n for n in reminder.note_lines
    )
    assert any("adding phosphate to this re-check" in n for n in reminder.note_lines)

    # A new infusion: "below since" restarts, the phosphate note stays (FCM again).
    add_infusion(patient, INFUSED, "fcm")
    reminder = open_reminder(patient)
    assert reminder.below_since is None
    assert not any("below the threshold" in n for n in reminder.note_lines)
    assert any("adding phosphate to this re-check" in n for n in reminder.note_lines)


def test_removing_every_record_removes_the_open_reminder(patient):
    infusion = add_infusion(patient, INFUSED)
    records.delete_record(infusion)
    assert not Reminder.objects.filter(patient=patient).exists()


@pytest.mark.parametrize("what", ["patient", "account"])
def test_deleting_a_patient_or_account_deletes_their_reminders(patient, owner, what):
    add_infusion(patient, INFUSED)
    add_ferritin(patient, datetime.date(2025, 4, 7), 450)
    (patient if what == "patient" else owner).delete()
    assert not Reminder.objects.exists()
    assert not Patient.objects.exists()


def test_recompute_reminders_catches_up_missing_ones(patient, owner):
    add_infusion(patient, INFUSED)
    other = Patient.objects.create(owner=owner, name="Bob")
    add_ferritin(other, datetime.date(2025, 1, 10), 120)
    Reminder.objects.all().delete()
    out = io.StringIO()
    call_command("recompute_reminders", stdout=out)
    assert "2 patients" in out.getvalue()
    assert open_reminder(patient).kind == "first"
    assert open_reminder(other).due_on == datetime.date(2025, 4, 4)


def test_an_imported_file_schedules_the_recheck_once_it_commits(
    patient, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        import_rows(
            patient, ParsedImport("csv", [], [ParsedInfusion([2], INFUSED, "fcm", "", 1000)], [])
        )
    assert open_reminder(patient).due_on == datetime.date(2025, 4, 28)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_recheck_weeks", "0", "from 1 to 52 weeks"),
        ("first_recheck_weeks", "500", "from 1 to 52 weeks"),
        ("reminder_lead_days", "-1", "from 0 to 120 days"),
        ("due_soon_days", "0", "from 1 to 90 days"),
    ],
)
def test_a_refused_setting_leaves_the_reminder_as_it_was(
    owner_client, patient, field, value, message
):
    add_infusion(patient, INFUSED)
    before = open_reminder(patient)
    data = patient_post() | {field: value, "version": str(Patient.objects.get().version)}
    response = owner_client.post(reverse("patient_edit", args=[patient.pk]), data)
    assert message in response.context["form"].errors[field][0]
    after = open_reminder(patient)
    assert (after.pk, after.due_on, after.soon_from) == (before.pk, before.due_on, before.soon_from)


def test_an_accepted_setting_moves_the_reminder(owner_client, patient):
    add_infusion(patient, INFUSED)
    data = patient_post() | {
        "first_recheck_weeks": "10",
        "version": str(Patient.objects.get().version),
    }
    response = owner_client.post(reverse("patient_edit", args=[patient.pk]), data)
    assert response.status_code == 302
    assert open_reminder(patient).due_on == datetime.date(2025, 5, 12)
