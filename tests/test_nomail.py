"""Without mail configured nothing is sent and nothing of a message reaches the log."""

import datetime
import io
import logging

import time_machine
from django.core import mail
from django.core.management import call_command

from rlsapp.reminders.models import Reminder

from .reminders.helpers import local

DUE = datetime.date(2025, 4, 28)


def test_the_no_mail_backend_sends_nothing_and_logs_no_content(settings, caplog):
    settings.EMAIL_BACKEND = "rlsapp.nomail.EmailBackend"
    caplog.set_level(logging.DEBUG)
    sent = mail.send_mail(
        "Reset https://x/accounts/password/reset/Mg/abc-def/",
        "Ferritin 987 for Zebulon",
        None,
        ["zebulon@example.com"],
    )
    assert sent == 0
    assert mail.outbox == []
    assert "not sent" in caplog.text
    for secret in ("reset", "987", "Zebulon", "zebulon@"):
        assert secret.lower() not in caplog.text.lower()


def test_reminders_stay_due_without_mail(patient, settings):
    settings.MAIL_CONFIGURED = False
    reminder = Reminder.objects.create(
        patient=patient,
        kind="first",
        due_on=DUE,
        remind_on=DUE,
        soon_from=DUE - datetime.timedelta(days=14),
        reason="8 weeks after the infusion.",
        send_after=local(DUE, 8),
    )
    out = io.StringIO()
    with time_machine.travel(local(DUE, 9), tick=False):
        call_command("send_reminders", stdout=out)
    assert mail.outbox == []
    reminder.refresh_from_db()
    assert reminder.status == Reminder.DUE
    assert "not emailed (no mail configured) 1" in out.getvalue()
