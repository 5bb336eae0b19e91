"""Snooze, dismiss, the patient page card and the worklist order."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from rlsapp.domain import regions
from rlsapp.reminders.forms import SnoozeForm
from rlsapp.reminders.models import Reminder
from rlsapp.tracking import services as records
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, Patient

from .helpers import add_ferritin, add_infusion, local, open_reminder

TODAY = datetime.date(2025, 4, 20)
INFUSED = datetime.date(2025, 3, 3)  # first re-check due 28 April


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(local(TODAY, 10), tick=False):
        yield


@pytest.fixture
def reminder(patient):
    add_infusion(patient, INFUSED)
    return open_reminder(patient)


@pytest.mark.parametrize(
    "weeks,until", [("1", datetime.date(2025, 5, 5)), ("2", datetime.date(2025, 5, 12))]
)
def test_it_snoozes_by_one_or_two_weeks(owner_client, reminder, weeks, until):
    """Weeks after the re-check's date (28 April), still to come: a week from today (27
    April) would bring it forward, not put it off."""
    response = owner_client.post(reverse("reminder_snooze", args=[reminder.pk]), {"weeks": weeks})
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert (reminder.status, reminder.snoozed_until, reminder.remind_on) == (
        "snoozed",
        until,
        until,
    )
    assert reminder.send_after == local(until, 8)


def test_an_overdue_recheck_is_snoozed_by_weeks_from_today(owner_client, patient):
    add_infusion(patient, datetime.date(2025, 2, 1))  # first re-check due 29 March
    reminder = open_reminder(patient)
    owner_client.post(reverse("reminder_snooze", args=[reminder.pk]), {"weeks": "1"})
    reminder.refresh_from_db()
    assert (reminder.status, reminder.remind_on) == ("snoozed", datetime.date(2025, 4, 27))


def test_a_snooze_by_weeks_lands_on_a_weekday_when_the_person_skips_weekends(owner_client, patient):
    patient.skip_weekends = True
    records.save_person(patient)
    add_infusion(patient, datetime.date(2025, 2, 1))  # first re-check due Monday 31 March
    reminder = open_reminder(patient)
    with time_machine.travel(local(datetime.date(2025, 4, 19), 10), tick=False):  # Saturday
        owner_client.post(reverse("reminder_snooze", args=[reminder.pk]), {"weeks": "1"})
    reminder.refresh_from_db()
    assert reminder.remind_on == datetime.date(2025, 4, 28)  # not Saturday 26 April


def test_it_snoozes_to_a_chosen_date(owner_client, reminder):
    url = reverse("reminder_snooze", args=[reminder.pk])
    assert owner_client.get(url).status_code == 200
    owner_client.post(url, {"until": "2025-06-01"})
    reminder.refresh_from_db()
    assert reminder.remind_on == datetime.date(2025, 6, 1)


@pytest.mark.parametrize(
    "data,message",
    [
        ({"until": "2025-04-20"}, "Snooze until: enter a date from 2025-04-21 to 2026-04-20."),
        ({"until": "2024-01-01"}, "Snooze until: enter a date from 2025-04-21 to 2026-04-20."),
        ({"until": "2026-04-21"}, "Snooze until: enter a date from 2025-04-21 to 2026-04-20."),
        ({"until": "next tuesday"}, "Snooze until: read “next tuesday”: enter it as yyyy-mm-dd"),
        ({"weeks": "9"}, "Select a valid choice."),
        ({}, "Choose 1 week, 2 weeks or a date."),
        ({"weeks": "1", "until": "2025-06-01"}, "not both"),
    ],
)
def test_it_refuses_a_snooze_out_of_range(owner_client, reminder, data, message):
    response = owner_client.post(reverse("reminder_snooze", args=[reminder.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    reminder.refresh_from_db()
    assert (reminder.status, reminder.remind_on) == ("upcoming", datetime.date(2025, 4, 28))


def test_it_dismisses_after_confirmation(owner_client, reminder):
    url = reverse("reminder_dismiss", args=[reminder.pk])
    assert "Dismiss the re-check" in owner_client.get(url).content.decode()
    assert owner_client.post(url).status_code == 302
    reminder.refresh_from_db()
    assert reminder.status == "dismissed" and reminder.send_after is None
    assert owner_client.post(url).status_code == 404  # no longer open


def test_an_outsider_cannot_snooze_or_dismiss(outsider_client, reminder):
    for name in ("reminder_snooze", "reminder_dismiss"):
        assert (
            outsider_client.post(reverse(name, args=[reminder.pk]), {"weeks": "1"}).status_code
            == 404
        )
    reminder.refresh_from_db()
    assert reminder.status == "upcoming"


def test_the_patient_page_shows_the_next_recheck_and_why(owner_client, patient, reminder):
    page = owner_client.get(patient.get_absolute_url()).content.decode()
    assert "Next ferritin re-check" in page
    assert "Monday 28 April 2025" in page
    assert "Due soon" in page
    assert "8 weeks after the infusion on 3 March" in page
    assert reverse("reminder_ics", args=[reminder.pk]) in page


def test_the_patient_page_says_when_a_recheck_is_overdue(owner_client, patient, reminder):
    with time_machine.travel(local(datetime.date(2025, 5, 2)), tick=False):
        page = owner_client.get(patient.get_absolute_url()).content.decode()
    assert "Overdue" in page


def test_a_predicted_recheck_is_labelled_an_estimate(owner_client, patient):
    add_infusion(patient, datetime.date(2025, 1, 1))
    for weeks in (6, 8, 10, 12):
        add_ferritin(
            patient, datetime.date(2025, 1, 1) + datetime.timedelta(weeks=weeks), 520 - 20 * weeks
        )
    page = owner_client.get(patient.get_absolute_url()).content.decode()
    assert "Ferritin estimated to fall below 100 µg/L around 28 May 2025" in page
    assert "Estimate: below the threshold around 28 May 2025." in page
    assert "not medical advice" in page


@pytest.mark.parametrize("zone,label", [("UTC", "Due soon"), ("Pacific/Kiritimati", "Due today")])
def test_dates_follow_the_configured_time_zone(owner_client, patient, settings, zone, label):
    add_infusion(patient, INFUSED)
    settings.TIME_ZONE = zone
    # 27 April 11:00 UTC is already 28 April (01:00) in Kiritimati (UTC+14).
    instant = datetime.datetime(2025, 4, 27, 11, 0, tzinfo=datetime.UTC)
    with time_machine.travel(instant, tick=False):
        page = owner_client.get(patient.get_absolute_url()).content.decode()
    assert label in page


def test_the_worklist_lists_below_threshold_then_overdue_then_due_soon(owner_client, owner):
    def person(name):
        return Patient.objects.create(owner=owner, name=name)

    calm = person("Anna")  # routine re-check far ahead
    add_ferritin(calm, datetime.date(2025, 4, 1), 250)
    person("Aaron")  # no records, no re-check
    low = person("Carla")  # below the threshold, re-check far ahead
    add_ferritin(low, datetime.date(2025, 4, 10), 60)
    soon = person("Dora")  # first re-check due 28 April, within 14 days
    add_infusion(soon, INFUSED)
    late = person("Eve")  # routine re-check due 14 April
    add_ferritin(late, datetime.date(2025, 1, 20), 200)

    response = owner_client.get(reverse("worklist"))
    names = [p.name for p in response.context["rows"]]
    assert names == ["Carla", "Eve", "Dora", "Anna", "Aaron"]
    counts = response.context["counts"]
    assert (counts["below"], counts["overdue"], counts["soon"]) == (1, 1, 1)
    page = response.content.decode()
    assert "Next re-check" in page and "none scheduled" in page
    assert "below threshold" in page and "overdue" in page and "due soon" in page


def test_below_threshold_on_the_worklist_ends_with_a_new_infusion(owner_client, owner):
    low = Patient.objects.create(owner=owner, name="Carla")
    add_ferritin(low, datetime.date(2025, 3, 3), 60)
    bounded = Patient.objects.create(owner=owner, name="Bea")
    add_ferritin(bounded, datetime.date(2025, 3, 3), 50, ">")  # at least 50: not below

    def below():
        return owner_client.get(reverse("worklist")).context["counts"]["below"]

    assert below() == 1
    add_infusion(low, datetime.date(2025, 3, 3))  # same day: the 60 was its baseline
    assert below() == 0


def bulk_history(patient, draws, start):
    """Many draws, quickly, in bulk as an import writes them (one recompute)."""
    made = [LabDraw(drawn_on=start - datetime.timedelta(days=7 * i)) for i in range(draws)]
    records.add_in_bulk(
        patient,
        new_draws=made,
        results_by_draw=[
            (
                d,
                [
                    LabResult(
                        analyte="ferritin", value=300 - i, entered_value="1", entered_unit="µg/L"
                    )
                ],
            )
            for i, d in enumerate(made)
        ],
        infusions=[Infusion(given_on=start - datetime.timedelta(days=7 * draws))],
        symptom_scores=[],
    )


def test_worklist_queries_stay_constant_with_reminders(
    owner_client, owner, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bulk_history(Patient.objects.create(owner=owner, name="P0"), 3, TODAY)
    with CaptureQueriesContext(connection) as one:
        owner_client.get(reverse("worklist"))
    for i in range(1, 60):
        bulk_history(Patient.objects.create(owner=owner, name=f"P{i}"), 3, TODAY)
    assert Reminder.objects.open().count() == 60
    with django_assert_max_num_queries(10):
        with CaptureQueriesContext(connection) as many:
            owner_client.get(reverse("worklist"))
    assert len(one.captured_queries) == len(many.captured_queries)


def test_patient_page_queries_stay_constant_with_a_reminder(
    owner_client, patient, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bulk_history(patient, 1, TODAY)
    with CaptureQueriesContext(connection) as one:
        owner_client.get(patient.get_absolute_url())
    bulk_history(patient, 400, TODAY - datetime.timedelta(days=1))
    assert open_reminder(patient) is not None
    # 12, and 2 for the oral iron courses and the medicines (their events only when any).
    with django_assert_max_num_queries(14):
        with CaptureQueriesContext(connection) as many:
            owner_client.get(patient.get_absolute_url())
    assert len(one.captured_queries) == len(many.captured_queries)


def test_a_snooze_date_with_a_two_digit_year_is_read_ahead_and_a_refusal_says_what_was_read():
    """A snooze takes only days to come: '3.1.27' typed on 30 Nov 2026 is 3 January 2027,
    not 1927 (which the range refused, naming a range the date typed was in)."""
    german = next(r for r in regions.REGIONS.values() if r.locale == "de_DE")
    today = datetime.date(2026, 11, 30)
    form = SnoozeForm({"until": "3.1.27"}, today=today, region=german)
    assert form.is_valid(), form.errors
    assert form.snooze_until() == datetime.date(2027, 1, 3)
    form = SnoozeForm({"until": "3.1.28"}, today=today, region=german)
    assert not form.is_valid()
    assert "Read: 03.01.2028." in str(form.errors["until"])
