"""Email each due reminder once, safely from several processes at a time.

Modelled on healthchecks' sendalerts: each reminder is claimed with a
conditional UPDATE whose row count says whether this process won it; the
email goes out after that UPDATE has committed, outside any transaction, so a
slow mail server holds no lock. A failure releases the claim and pushes the
next attempt ahead, so one bad address cannot crash-loop the sender. A sender
killed between claiming and finishing leaves a claim that another takes over
after Reminder.CLAIM_TIMEOUT.

Logs carry reminder ids and exception class names only: no names, addresses
or values.
"""

import datetime
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from rlsapp.tracking.models import LabResult

from .models import Reminder

logger = logging.getLogger(__name__)

BATCH = 100
RETRY_FIRST = datetime.timedelta(minutes=10)
RETRY_MAX = datetime.timedelta(hours=6)


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    not_emailed: int = 0  # reached their date for someone who turned reminder emails off
    lost: int = 0  # claimed by another sender first


def retry_delay(attempts: int) -> datetime.timedelta:
    return min(RETRY_FIRST * 2 ** max(attempts - 1, 0), RETRY_MAX)


def candidates(now):
    return list(
        Reminder.objects.sendable(now)
        .order_by("send_after", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )


def claim(pk, now) -> uuid.UUID | None:
    """Take the reminder for this process; None when another process got there first."""
    token = uuid.uuid4()
    won = Reminder.objects.sendable(now).filter(pk=pk).update(claimed_at=now, claim=token)
    return token if won == 1 else None


def compose(reminder) -> EmailMessage:
    patient = reminder.patient
    latest = (
        LabResult.objects.filter(draw__patient=patient, analyte="ferritin")
        .select_related("draw")
        .order_by("-draw__drawn_on", "-draw_id")
        .first()
    )
    context = {
        "reminder": reminder,
        "patient": patient,
        "latest": latest,
        "link": f"{settings.SITE_URL}{patient.get_absolute_url()}",
        "settings_link": f"{settings.SITE_URL}{reverse('account_settings')}",
    }
    subject = render_to_string("reminders/email_subject.txt", context).strip()
    body = render_to_string("reminders/email_body.txt", context)
    return EmailMessage(subject, body, to=[patient.owner.email])


def _release(pk, token, **changes):
    """Finish with a claimed reminder, unless a user or the data moved it meanwhile."""
    return Reminder.objects.filter(pk=pk, claim=token, status__in=Reminder.SENDABLE).update(
        claimed_at=None, claim=None, **changes
    )


def deliver(pk, token, now, outcome: Outcome):
    reminder = Reminder.objects.select_related("patient__owner").filter(pk=pk).first()
    if reminder is None:  # deleted with its patient meanwhile
        return
    owner = reminder.patient.owner
    if not (owner.email_reminders and owner.email and owner.is_active):
        _release(pk, token, status=Reminder.DUE, send_after=None)
        outcome.not_emailed += 1
        return
    try:
        message = compose(reminder)
        message.send()
    except Exception as error:  # any backend or template failure: retry later
        attempts = reminder.attempts + 1
        _release(
            pk,
            token,
            attempts=F("attempts") + 1,
            last_error=type(error).__name__[:120],
            send_after=now + retry_delay(attempts),
        )
        logger.warning(
            "reminder %s: email failed (%s), attempt %s, retrying later",
            pk,
            type(error).__name__,
            attempts,
        )
        outcome.failed += 1
        return
    _release(pk, token, status=Reminder.SENT, sent_at=timezone.now(), send_after=None)
    logger.info("reminder %s: emailed", pk)
    outcome.sent += 1


def send_due(now=None, dry_run=False, out=None, should_stop=lambda: False) -> Outcome:
    """Send everything due by `now`, a batch at a time, until none is left unclaimed.

    Failed reminders are pushed past `now`, so each pass ends. `should_stop` is
    checked between reminders (SIGTERM in the loop) so none is left half-done.
    """
    fixed = now is not None

    def moment():
        # Claims carry the time they were made, so a long pass never looks stale to others.
        return now if fixed else timezone.now()

    outcome = Outcome()
    if dry_run:
        pks = candidates(moment())
        for reminder in Reminder.objects.filter(pk__in=pks).select_related("patient__owner"):
            owner = reminder.patient.owner
            action = "would email" if owner.email_reminders and owner.email else "would mark due"
            if out:
                out.write(
                    f"reminder {reminder.pk}: {action} user {owner.pk} "
                    f"about the re-check of {reminder.remind_on:%Y-%m-%d}"
                )
        return outcome
    while pks := candidates(moment()):
        for pk in pks:
            if should_stop():
                return outcome
            at = moment()
            token = claim(pk, at)
            if token is None:
                outcome.lost += 1
                continue
            deliver(pk, token, at, outcome)
    return outcome
