"""The upgrade that stores only the calendar token's hash keeps every subscribed calendar
working: the address made before it opens the same feed after it (reminders 0006)."""

import pytest
from django.test import Client

from rlsapp import tokens
from tests.migrating import leaf_nodes, migrate

BEFORE = ("reminders", "0005_reminder_calendar_event")
AFTER = ("reminders", "0006_calendar_token_hashed")

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_address_made_before_the_upgrade_still_opens_the_feed():
    latest = leaf_nodes()
    # Every other app as it is now (its models are what the rows are written with).
    others = [node for node in latest if node[0] != "reminders"]
    try:
        apps = migrate([*others, BEFORE])
        User = apps.get_model("accounts", "User")
        CalendarFeed = apps.get_model("reminders", "CalendarFeed")
        old = tokens.new_token()
        user = User.objects.create(email="cal@example.com", password="x", is_active=True)
        CalendarFeed.objects.create(user=user, token=old)
        other = User.objects.create(email="other@example.com", password="x", is_active=True)
        CalendarFeed.objects.create(user=other, token=tokens.new_token())

        apps = migrate([*others, AFTER])
        stored = apps.get_model("reminders", "CalendarFeed").objects.get(user_id=user.pk)
        assert stored.token_hash == tokens.digest(old)  # the token itself is gone
        assert old not in {
            f.token_hash for f in apps.get_model("reminders", "CalendarFeed").objects.all()
        }

        migrate(latest)
        response = Client().get(f"/calendar/{old}.ics")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
    finally:
        migrate(latest)
