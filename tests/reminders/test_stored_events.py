"""The calendar feed serves the events reminders stored when saved: the same calendar the
icalendar builder makes from scratch, never an event older than what it shows."""

import datetime
import io

import icalendar
import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from rlsapp.domain.units import Measurement
from rlsapp.reminders import calendar, feeds, services
from rlsapp.reminders.models import CalendarFeed, Reminder
from rlsapp.tracking import services as records
from rlsapp.tracking.models import LabDraw, Patient

from .helpers import add_ferritin, add_infusion, local, open_reminder

INFUSED = datetime.date(2025, 3, 3)
LONG_NAME = "Zoë Ñúñez-Øster, née Þórsdóttir, whose name is long enough to fold a line"


@pytest.fixture
def feed_url(owner):
    _, token = feeds.new_calendar_address(owner)
    return CalendarFeed.url_for(token)


@pytest.fixture(autouse=True)
def names_on(owner):
    """These tests follow names and reasons into the events (off by default)."""
    owner.calendar_names = True
    owner.save()


@pytest.fixture
def clinic(owner, patient):
    """Re-checks of every kind: after an infusion, routine, estimated (with its window,
    notes and a name with accents that folds), snoozed."""
    add_infusion(patient, INFUSED)
    bob = Patient.objects.create(owner=owner, name="Bob")
    add_ferritin(bob, datetime.date(2025, 1, 10), 120)
    zoe = Patient.objects.create(owner=owner, name=LONG_NAME)
    add_infusion(zoe, datetime.date(2025, 1, 1))
    add_ferritin(zoe, datetime.date(2025, 2, 26), 150)
    add_ferritin(bob, datetime.date(2025, 2, 1), 35)  # below the threshold: a note line
    dan = Patient.objects.create(owner=owner, name="Dan")
    add_infusion(dan, datetime.date(2025, 2, 1))
    services.snooze(open_reminder(dan), datetime.date(2025, 6, 30))
    return [patient, bob, zoe, dan]


def built_afresh():
    """The calendar as the icalendar builder makes it from the rows, event by event."""
    reminders = Reminder.objects.open().select_related("patient__owner").order_by("remind_on", "pk")
    return calendar.calendar(list(reminders))


def fetch(url):
    response = Client().get(url)
    assert response.status_code == 200
    return response.content


def assert_stored_events_are_fresh():
    for reminder in Reminder.objects.select_related("patient"):
        expected = calendar.stored_event(reminder) if reminder.is_open else ""
        assert reminder.calendar_event == expected, f"stale event of reminder {reminder.pk}"


def by_uid(body):
    return {str(e["uid"]): e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def test_the_feed_is_the_calendar_the_builder_makes(clinic, feed_url):
    body = fetch(feed_url)
    assert body == built_afresh()
    events = by_uid(body)
    assert len(events) == 4
    for reminder in Reminder.objects.open().select_related("patient"):
        event = events[calendar.uid(reminder)]
        assert event.decoded("dtstart") == reminder.remind_on
        assert event.decoded("dtend") == reminder.remind_on + datetime.timedelta(days=1)
        assert str(event["summary"]) == f"Ferritin re-check: {reminder.patient.name}"
        assert event.decoded("dtstamp").replace(microsecond=0) == reminder.updated.replace(
            microsecond=0
        )
        (alarm,) = event.walk("VALARM")
        assert alarm.decoded("trigger") == calendar.ALARM_AT
    zoe = Reminder.objects.open().get(patient__name=LONG_NAME)
    assert zoe.window_text
    assert open_reminder(clinic[1]).note_lines
    assert zoe.window_text in str(events[calendar.uid(zoe)]["description"])


def test_a_rename_shows_in_the_feed_at_once(clinic, feed_url):
    alice = clinic[0]
    alice.name = "Alice Smith"
    records.save_person(alice)
    (event,) = [e for e in by_uid(fetch(feed_url)).values() if "Alice" in str(e["summary"])]
    assert str(event["summary"]) == "Ferritin re-check: Alice Smith"
    assert str(event.walk("VALARM")[0]["description"]) == "Ferritin re-check: Alice Smith"
    assert fetch(feed_url) == built_afresh()


def test_only_a_change_of_the_persons_details_renders_an_unmoved_event_again(clinic, monkeypatch):
    """A record that leaves the re-check as it was cannot change its event, whose only
    other input is the person's name: it is not rendered to be compared."""
    alice = clinic[0]
    rendered = []
    real = calendar.stored_event
    monkeypatch.setattr(
        calendar, "stored_event", lambda *a, **k: rendered.append(1) or real(*a, **k)
    )
    before = open_reminder(alice).calendar_event
    hemoglobin = Measurement("hemoglobin", 13.2, "", "13.2", "g/dL")
    records.save_draw(LabDraw(patient=alice, drawn_on=INFUSED), {"hemoglobin": hemoglobin})
    assert open_reminder(alice).calendar_event == before
    assert rendered == []
    records.save_person(alice)
    assert rendered == [1]
    assert_stored_events_are_fresh()


def test_a_snooze_and_a_dismissal_show_in_the_feed_at_once(clinic, feed_url):
    alice, bob = clinic[0], clinic[1]
    services.snooze(open_reminder(alice), datetime.date(2025, 9, 1))
    services.dismiss(open_reminder(bob))
    events = by_uid(fetch(feed_url))
    assert len(events) == 3
    assert events[calendar.uid(open_reminder(alice))].decoded("dtstart") == datetime.date(
        2025, 9, 1
    )
    assert fetch(feed_url) == built_afresh()


def test_stored_events_never_go_stale(clinic, owner_client):
    """Every way a reminder changes, and days passing with the sender marking it emailed."""
    alice, bob, zoe, dan = clinic
    assert_stored_events_are_fresh()
    alice.name = "Alice Smith"
    records.save_person(alice)  # a rename
    assert_stored_events_are_fresh()
    bob.routine_recheck_weeks = 20
    records.save_person(bob)  # the date moves
    assert_stored_events_are_fresh()
    add_ferritin(zoe, datetime.date(2025, 3, 20), 30)  # a newer result: closed, a new one
    assert_stored_events_are_fresh()
    add_infusion(zoe, datetime.date(2025, 3, 25))  # the reason and notes change
    assert_stored_events_are_fresh()
    snooze_url = reverse("reminder_snooze", args=[open_reminder(alice).pk])
    assert owner_client.post(snooze_url, {"weeks": "2"}).status_code == 302  # the page's way
    services.snooze(open_reminder(dan), datetime.date(2025, 8, 1))
    assert_stored_events_are_fresh()
    dismissed = open_reminder(bob)
    services.dismiss(dismissed)
    dismissed.refresh_from_db()
    assert dismissed.calendar_event == ""
    assert_stored_events_are_fresh()
    with time_machine.travel(local(datetime.date(2025, 12, 1), 9), tick=False):
        call_command("send_reminders", stdout=io.StringIO())
        assert Reminder.objects.filter(status=Reminder.SENT).exists()
        assert_stored_events_are_fresh()


def test_events_stored_before_this_version_are_rendered_and_recompute_stores_them(
    clinic, feed_url, django_assert_max_num_queries
):
    expected = fetch(feed_url)
    Reminder.objects.update(calendar_event="")  # as the migration leaves existing rows
    with django_assert_max_num_queries(4):
        assert fetch(feed_url) == expected
    call_command("recompute_reminders", stdout=io.StringIO())
    assert all(Reminder.objects.open().values_list("calendar_event", flat=True))
    assert_stored_events_are_fresh()
    assert by_uid(fetch(feed_url)).keys() == by_uid(expected).keys()


def test_the_feed_costs_the_same_queries_for_any_number_of_rechecks(
    owner, feed_url, django_assert_max_num_queries
):
    for i in range(30):
        add_infusion(Patient.objects.create(owner=owner, name=f"P{i}"), INFUSED)
    Reminder.objects.filter(pk__in=Reminder.objects.order_by("pk")[:10].values("pk")).update(
        calendar_event=""
    )
    with django_assert_max_num_queries(4):
        assert len(by_uid(fetch(feed_url))) == 30
    call_command("recompute_reminders", stdout=io.StringIO())
    with django_assert_max_num_queries(3):
        assert fetch(feed_url) == built_afresh()


@pytest.mark.parametrize("field", ["remind_on", "patient_id"])
def test_a_partial_save_of_what_the_event_shows_renders_it_again(owner, patient, field):
    add_infusion(patient, INFUSED)
    reminder = open_reminder(patient)
    if field == "remind_on":
        reminder.remind_on = datetime.date(2025, 7, 7)
    else:
        reminder.patient = Patient.objects.create(owner=owner, name="Someone else")
    reminder.save(update_fields=[field])
    reminder.refresh_from_db()
    assert reminder.calendar_event == calendar.stored_event(reminder)
    assert "Someone else" in reminder.calendar_event or "20250707" in reminder.calendar_event


# A disclaimer in other words, with what escapes (; ,) and letters of two and three octets,
# long enough to fold twice: it must fold as the builder folds it, wherever it starts.
REWORDED = (
    "rlsapp keeps records; it gives no medical advice, nor does this entry. Ärztin, Arzt "
    "oder Klinik entscheiden — tests and treatment are decided with the treating clinician."
)


def test_a_new_disclaimer_reaches_every_feed_without_a_command(clinic, feed_url, monkeypatch):
    """The stored events keep no disclaimer: the feed writes today's words into them, so
    a change of wording needs neither recompute_reminders nor a reschedule."""
    before = {r.pk: r.calendar_event for r in Reminder.objects.open()}
    monkeypatch.setattr(calendar, "DISCLAIMER", REWORDED)

    body = fetch(feed_url)
    assert body == built_afresh()
    descriptions = [str(e["description"]) for e in by_uid(body).values()]
    assert len(descriptions) == 4
    assert all(d.endswith(f"\n\n{REWORDED}") for d in descriptions)
    assert {r.pk: r.calendar_event for r in Reminder.objects.open()} == before


@pytest.mark.parametrize("disclaimer", [calendar.DISCLAIMER, REWORDED])
def test_the_disclaimer_folds_as_the_builder_folds_it_from_every_column(
    owner, patient, settings, monkeypatch, disclaimer
):
    """The stored event's line before the disclaimer ends at every length a folded line
    can have (the site's address grows by one letter each time)."""
    monkeypatch.setattr(calendar, "DISCLAIMER", disclaimer)
    add_infusion(patient, INFUSED)
    reminder = Reminder.objects.select_related("patient__owner").get(patient=patient)
    columns = set()
    for letters in range(80):
        settings.SITE_URL = f"https://{'a' * letters}.example"
        for names in (False, True):
            stored = calendar.stored_event(reminder, names)
            columns.add(int(stored.partition(calendar.MARK)[2][:2]))
            whole = calendar.calendar([reminder], names=names)
            assert calendar.from_events([stored]) == whole, (letters, names)
    # Never 1 or 3: the line ends with two escaped line breaks (\n\n), and a fold never
    # parts an escape from its backslash.
    assert columns == set(range(1, 75)) - {1, 3}
