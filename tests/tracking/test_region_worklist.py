"""The worklist writes the latest ferritin the way the account's region does (issue 11)."""

import datetime

from django.urls import reverse

from ..reminders.helpers import add_ferritin


def test_the_worklist_shows_ferritin_the_regions_way(owner_client, patient, today):
    add_ferritin(patient, today - datetime.timedelta(days=3), 1050)
    assert "1050 µg/L" in owner_client.get(reverse("worklist")).content.decode()
    owner_client.post(
        reverse("account_settings"),
        {"first_name": "", "last_name": "", "region": "DE", "email_reminders": "on"},
    )
    assert "1.050 µg/L" in owner_client.get(reverse("worklist")).content.decode()
