"""The estimate's 80 % window travels with the reminder: card, email, calendar, worklist."""

import datetime

from django.urls import reverse

from rlsapp.reminders import calendar
from rlsapp.reminders.sending import compose, latest_ferritin

from .helpers import add_episode, open_reminder

START = datetime.date(2025, 1, 1)


def thin_history(patient):
    """One result 8 weeks after the infusion: the combined estimate (population default)."""
    add_episode(patient, START, [(8, 150)])


def test_a_predicted_reminder_keeps_the_window_and_is_set_before_its_start(patient):
    thin_history(patient)
    reminder = open_reminder(patient)

    assert reminder.kind == "predicted"
    assert reminder.estimate_from < reminder.estimate_on < reminder.estimate_to
    # Set from the early end of the window, less the 14-day lead time.
    assert reminder.due_on == reminder.estimate_from - datetime.timedelta(days=14)
    assert reminder.reason.startswith("ferritin estimated to fall below 100 µg/L most likely in ")
    assert "; between " in reminder.reason
    assert reminder.window_text.startswith("Estimate: below the threshold most likely around ")
    assert "8 in 10 chance between" in reminder.window_text


def test_no_clear_decline_keeps_the_routine_schedule_and_says_so(patient):
    patient.use_population_slope = False
    patient.save()
    add_episode(patient, START, [(8, 300), (12, 310)])

    reminder = open_reminder(patient)
    assert reminder.kind == "routine"
    assert reminder.estimate_on is None and reminder.window_text == ""
    assert "No clear decline yet, so the routine schedule applies." in reminder.note_lines


def test_the_email_and_the_calendar_carry_the_window(patient):
    thin_history(patient)
    reminder = open_reminder(patient)

    body = compose(reminder, latest_ferritin([patient.pk]).get(patient.pk)).body
    assert reminder.window_text in body
    assert "Why: Ferritin estimated to fall below 100 µg/L most likely in" in body
    reminder.patient.owner.calendar_names = True  # off, the calendar carries no reason
    text = calendar.description(reminder)
    assert text.split("\n\n")[1] == reminder.window_text


def test_the_card_and_the_worklist_show_the_window(owner_client, patient):
    thin_history(patient)
    reminder = open_reminder(patient)

    page = owner_client.get(patient.get_absolute_url()).content.decode()
    assert reminder.window_text in page
    assert "The re-check is set before the start of that range." in page
    # The estimate's details moved to the charts page; the card links to them.
    details = reverse("patient_charts", args=[patient.pk]) + "#projection-note"
    assert f'href="{details}">What went into the estimate</a>' in page
    worklist = owner_client.get(reverse("worklist")).content.decode()
    assert f"Estimate: below around {reminder.estimate_on:%b %Y}" in worklist
