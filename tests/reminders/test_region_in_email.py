"""Reminder emails write the latest ferritin the way the owner's region does (issue 11)."""

import datetime
import io

import time_machine
from django.core import mail
from django.core.management import call_command

from .helpers import add_ferritin, add_infusion, local, open_reminder

INFUSED = datetime.date(2025, 3, 3)
DUE = datetime.date(2025, 4, 28)


def test_the_email_shows_the_latest_ferritin_in_the_owners_format(owner, patient):
    owner.region = "DE"
    owner.save()
    add_infusion(patient, INFUSED)
    add_ferritin(patient, INFUSED + datetime.timedelta(weeks=2), 1050)
    open_reminder(patient)
    with time_machine.travel(local(DUE, 9), tick=False):
        call_command("send_reminders", stdout=io.StringIO())
    assert "Latest ferritin: 1.050 µg/L on 17 March 2025" in mail.outbox[0].body
