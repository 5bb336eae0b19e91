"""The printable report writes the latest values the way the account's region does."""

import datetime

from django.urls import reverse

from ..reminders.helpers import add_ferritin


def test_the_report_shows_latest_values_the_regions_way(owner_client, owner, patient, today):
    add_ferritin(patient, today - datetime.timedelta(days=3), 1050)
    url = reverse("patient_report", args=[patient.pk])
    assert "1050 µg/L" in owner_client.get(url).content.decode()
    owner.region = "DE"
    owner.save()
    assert "1.050 µg/L" in owner_client.get(url).content.decode()
