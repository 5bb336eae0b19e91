"""reminders 0013 takes the disclaimer out of the stored calendar events, whatever words it
was stored in, so the feed writes today's (calendar.from_events): events stored before the
disclaimer's last change ("Decide with your clinician.") read in today's words at once."""

import datetime

import icalendar
import pytest
from django.test import Client

from rlsapp.reminders import calendar, feeds
from rlsapp.reminders.models import CalendarFeed, Reminder
from rlsapp.tracking.models import Patient
from tests.migrating import Upgrade

from .helpers import add_ferritin, add_infusion

BEFORE = ("reminders", "0012_personstatus_name")
AFTER = ("reminders", "0013_calendar_event_disclaimer_mark")
OLD_WORDS = "rlsapp tracks; it does not give medical advice. Decide with your clinician."
LONG_NAME = "Zoë Ñúñez-Øster, née Þórsdóttir, whose name is long enough to fold a line"

pytestmark = pytest.mark.django_db(transaction=True)


def rechecks(owner, names):
    """Open re-checks of several kinds, their events with names or without."""
    owner.calendar_names = names
    owner.save()
    for name in ("Sam", LONG_NAME):
        person = Patient.objects.create(owner=owner, name=name)
        add_infusion(person, datetime.date(2025, 1, 1))
        add_ferritin(person, datetime.date(2025, 2, 26), 150)
    bare = Patient.objects.create(owner=owner, name="Bo")
    add_ferritin(bare, datetime.date(2025, 2, 1), 35)  # below the threshold: a note line


def stored_as_before(monkeypatch):
    """Every open event stored whole, as the release before 0013 stored it, most in the
    disclaimer's earlier words; one was never stored (''), as 0005 left events."""
    reminders = list(Reminder.objects.open().select_related("patient__owner").order_by("pk"))
    for n, reminder in enumerate(reminders):
        with monkeypatch.context() as patch:
            if n % 3:
                patch.setattr(calendar, "DISCLAIMER", OLD_WORDS)
            text = calendar.event_text(reminder) if n else ""
        Reminder.objects.filter(pk=reminder.pk).update(calendar_event=text)
    return reminders


def stored(reminders):
    return [Reminder.objects.get(pk=r.pk).calendar_event for r in reminders]


def descriptions(body):
    return [str(e["description"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")]


def fetch(url):
    response = Client().get(url)
    assert response.status_code == 200
    return response.content


def test_stored_events_lose_their_disclaimer_and_the_feed_writes_todays(owner, bob, monkeypatch):
    rechecks(owner, names=True)
    rechecks(bob, names=False)
    _, token = feeds.new_calendar_address(owner)
    url = CalendarFeed.url_for(token)
    with Upgrade() as upgrade:
        upgrade.to(BEFORE)  # a data migration: the schema is the same on both sides
        reminders = stored_as_before(monkeypatch)
        assert sum(d.endswith(OLD_WORDS) for d in descriptions(fetch(url))) == 2

        upgrade.to(AFTER)
        assert stored(reminders) == [""] + [calendar.stored_event(r) for r in reminders[1:]]
        body = fetch(url)
        assert body == calendar.calendar(Reminder.objects.open().filter(patient__owner=owner))
        assert [d.endswith(f"\n\n{calendar.DISCLAIMER}") for d in descriptions(body)] == [True] * 3

        # Going back stores each event whole again, with today's disclaimer.
        upgrade.to(BEFORE)
        assert stored(reminders) == [""] + [calendar.event_text(r) for r in reminders[1:]]
