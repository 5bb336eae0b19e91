"""reminders 0010 keeps each existing reminder's calendar UID: subscribed calendars match
events on it, so a reminder made before the upgrade must not turn into a second event."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from rlsapp.reminders import calendar
from rlsapp.reminders.models import Reminder
from tests.migrating import leaf_nodes, migrate, with_app_at

BEFORE = ("reminders", "0009_reminder_estimate_basis")
AFTER = ("reminders", "0010_reminder_event_key")
DAY = datetime.date(2026, 3, 3)

pytestmark = pytest.mark.django_db(transaction=True)


def test_existing_reminders_keep_their_uid_and_new_ones_get_a_stable_one():
    latest = leaf_nodes()
    host = urlsplit(settings.SITE_URL).hostname
    try:
        apps = migrate(with_app_at(BEFORE, latest))
        User = apps.get_model("accounts", "User")
        Patient = apps.get_model("tracking", "Patient")
        Old = apps.get_model("reminders", "Reminder")
        user = User.objects.create(email="old@example.com", password="x")
        person = Patient.objects.create(owner=user, name="Sam")
        old = Old.objects.create(
            patient=person,
            kind="routine",
            due_on=DAY,
            reason="routine",
            remind_on=DAY,
            soon_from=DAY - datetime.timedelta(days=14),
        )
        served = f"rlsapp-reminder-{old.pk}@{host}"

        apps = migrate(with_app_at(AFTER, latest))
        assert apps.get_model("reminders", "Reminder").objects.get(pk=old.pk).event_key == ""

        migrate(latest)
        kept = Reminder.objects.get(pk=old.pk)
        assert calendar.uid(kept) == served
        kept.remind_on = DAY + datetime.timedelta(days=7)
        kept.save()  # a moved date renders the event again, under the same UID
        assert f"UID:{served}" in Reminder.objects.get(pk=old.pk).calendar_event

        new = Reminder.objects.create(
            patient_id=person.pk,
            kind="routine",
            due_on=DAY + datetime.timedelta(days=90),
            reason="routine",
            remind_on=DAY + datetime.timedelta(days=90),
            soon_from=DAY + datetime.timedelta(days=76),
            status=Reminder.DONE,
        )
        assert new.event_key and calendar.uid(new) != served
        again = Reminder.objects.get(pk=new.pk)
        assert calendar.uid(again) == calendar.uid(new)
    finally:
        migrate(latest)
