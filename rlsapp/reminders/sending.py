"""Email each due reminder once, safely from several processes at a time.

Modelled on healthchecks' sendalerts: each batch of due reminders is claimed
with one conditional UPDATE that takes only those no other process holds; the
emails go out after that UPDATE has committed, outside any transaction, so a
slow mail server holds no lock. A failure releases the claim and pushes the
next attempt ahead, so one bad address cannot crash-loop the sender. A sender
killed between claiming and finishing leaves a claim that another takes over
after Reminder.CLAIM_TIMEOUT; one still sending renews its claim every RENEW_CLAIM
(a batch on a slow mail server can take longer than the timeout), so another sender
never takes over, and emails again, what it is still working through.

Sent reminders are marked sent in one UPDATE per MARK_EVERY emails (a write per
email cost half of a 2,000-reminder run, bench/), so a sender killed mid-way may
email up to MARK_EVERY of them a second time once their claim is stale: a duplicate
reminder rather than a lost one. All emails of a pass share one mail connection.

Each member who gets the person's reminders (recipients.py) is emailed separately. When
one member's email fails after others' went out, those sent are noted (ReminderEmail)
before the claim is released: the retry emails only those still waiting, so each member
gets each reminder once. A reminder emailed to all is marked sent and needs no note.

Logs carry reminder ids and exception class names only: no names, addresses
or values.
"""

import datetime
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from rlsapp.domain import formats
from rlsapp.tracking.models import LabResult
from rlsapp.tracking.versions import bump_person_versions

from . import recipients
from .models import Reminder

logger = logging.getLogger(__name__)

BATCH = 100
MARK_EVERY = 20
RETRY_FIRST = datetime.timedelta(minutes=10)
RETRY_MAX = datetime.timedelta(hours=6)
# Well inside CLAIM_TIMEOUT: one email is given up on after EMAIL_TIMEOUT (30 s).
RENEW_CLAIM = Reminder.CLAIM_TIMEOUT / 3


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    not_emailed: int = 0  # reached their date for someone who turned reminder emails off
    lost: int = 0  # claimed by another sender first


def retry_delay(attempts: int) -> datetime.timedelta:
    return min(RETRY_FIRST * 2 ** max(attempts - 1, 0), RETRY_MAX)


def candidates(now):
    """Due reminders to claim. A deleted person's re-check waits, unsent, until the delete
    is undone or the person erased."""
    return list(
        Reminder.objects.sendable(now)
        .filter(patient__deleted_at__isnull=True)
        .order_by("send_after", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )


def claim_batch(pks, now) -> tuple[uuid.UUID, list[Reminder]]:
    """The one claim path: take those of `pks` no other process holds, in one conditional
    UPDATE (one commit for the batch), and read them back with their patient and owner.
    Another sender's claim is respected until it is older than Reminder.CLAIM_TIMEOUT."""
    token = uuid.uuid4()
    Reminder.objects.sendable(now).filter(pk__in=pks).update(claimed_at=now, claim=token)
    # With the person's worklist row: why the latest ferritin is left out, for the email.
    claimed = Reminder.objects.filter(claim=token).select_related(
        "patient__owner", "patient__status"
    )
    return token, list(claimed.order_by("send_after", "pk"))


def latest_ferritin(patient_ids) -> dict[int, LabResult]:
    """Each patient's newest ferritin result, for a whole batch in one query."""
    latest = LabResult.objects.latest_of(patient_ids, ["ferritin"])
    return {patient_id: found["ferritin"] for patient_id, found in latest.items() if found}


def left_out_of(patient, latest: LabResult | None) -> str:
    """Why the latest ferritin is left out of the fits, in the chart's words, or '': the
    worklist row's (a course's too), else the draw's own reason given by hand."""
    if latest is None:
        return ""
    status = getattr(patient, "status", None)  # none for a person made past the services
    if status is not None and status.latest_ferritin_on == latest.draw.drawn_on:
        return status.latest_ferritin_left_out
    return latest.draw.left_out_words


def compose(reminder, latest: LabResult | None, connection=None, to=None) -> EmailMessage:
    """The email to one member (`to`, an account; the owner if None)."""
    patient = reminder.patient
    to = to or patient.owner
    context = {
        "reminder": reminder,
        "patient": patient,
        "latest": latest,
        # written the way the member's region writes numbers (1.050 µg/L in Germany)
        "latest_text": latest
        and formats.format_result(
            latest.analyte,
            latest.value,
            latest.comparator,
            to.region_rules,
            patient.ferritin_threshold,
        ),
        # The re-check's words above were worked out without a result left out.
        "left_out": left_out_of(patient, latest),
        "link": f"{settings.SITE_URL}{patient.get_absolute_url()}",
        "settings_link": f"{settings.SITE_URL}{reverse('reminders')}",
    }
    subject = render_to_string("reminders/email_subject.txt", context).strip()
    body = render_to_string("reminders/email_body.txt", context)
    return EmailMessage(subject, body, to=[to.email], connection=connection)


def _release(pk, token, **changes):
    """Finish with a claimed reminder, unless a user or the data moved it meanwhile."""
    return Reminder.objects.filter(pk=pk, claim=token, status__in=Reminder.SENDABLE).update(
        claimed_at=None, claim=None, **changes
    )


class Finished:
    """Claimed reminders that were emailed (or are not to be), marked in bulk.

    The status shows on the owner's cached pages, so their data version moves on too,
    after the reminders' UPDATE has committed (a page cached in between is cached under
    the old version, never read again).
    """

    def __init__(self, token):
        self.token = token
        self.sent: list[int] = []
        self.not_emailed: list[int] = []
        self.people: set[int] = set()

    def add(self, reminder, emailed):
        (self.sent if emailed else self.not_emailed).append(reminder.pk)
        self.people.add(reminder.patient_id)
        if len(self.sent) + len(self.not_emailed) >= MARK_EVERY:
            self.mark()

    def mark(self):
        mine = Reminder.objects.filter(claim=self.token, status__in=Reminder.SENDABLE)
        if self.sent:
            mine.filter(pk__in=self.sent).update(
                claimed_at=None,
                claim=None,
                status=Reminder.SENT,
                sent_at=timezone.now(),
                send_after=None,
            )
        if self.not_emailed:
            mine.filter(pk__in=self.not_emailed).update(
                claimed_at=None, claim=None, status=Reminder.DUE, send_after=None
            )
        bump_person_versions(self.people)
        self.sent, self.not_emailed, self.people = [], [], set()


def open_connection(connection):
    """Open the pass's mail connection now: Django's SMTP backend opens and closes one per
    email unless it is already open. A server that is away is not fatal here: each email
    then tries to connect itself, and fails into a retry."""
    try:
        connection.open()
    except Exception as error:
        logger.warning("mail connection failed (%s); trying per email", type(error).__name__)


def deliver(
    reminder, token, now, outcome: Outcome, finished, latest, connection=None, members=None
):
    """Email each member who gets the person's reminders and has not had this one yet.
    `members` as recipients.members_for gives them (with what was emailed already); the
    owner alone without it."""
    pk = reminder.pk
    if members is None:
        members = (
            recipients.members_for([reminder.patient_id]),
            recipients.emailed_already([reminder]),
        )
    accounts, done = members
    if reminder.patient.deleted_at is not None:  # deleted since it was picked: it waits
        _release(pk, token)
        return
    to = [a for a in accounts.get(reminder.patient_id, ()) if recipients.emailable(a)]
    if settings.MAIL_CONFIGURED and to:
        # The batch's read may be older than a removal or a choice since, or than a change
        # of the re-check (closed, moved, snoozed: its claim then let go): ask again.
        to = recipients.still_getting(reminder.patient_id, to, pk, token)
        if to is None:  # deleted since the batch was read: it waits, as one deleted before
            _release(pk, token)
            return
    # Without mail (or anyone to mail) the reminder stays due in the app and the feed.
    if not (settings.MAIL_CONFIGURED and to):
        finished.add(reminder, emailed=False)
        outcome.not_emailed += 1
        return
    sent = []
    try:
        for account in to:
            if (pk, account.pk, reminder.remind_on) not in done:
                compose(reminder, latest, connection, to=account).send()
                sent.append((reminder, account))
    except Exception as error:  # any backend or template failure: retry later
        # Those already emailed are noted now, so the retry skips them.
        recipients.record(sent)
        if connection is not None:  # the rest of the pass gets a fresh connection
            connection.close()
            open_connection(connection)
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
    finished.add(reminder, emailed=True)
    logger.info("reminder %s: emailed to %s member(s)", pk, len(sent))
    outcome.sent += 1


def renew_claim(token, now) -> set[int]:
    """Move the batch's claim on to `now` (those still held by `token`: a user may have
    snoozed or moved one meanwhile); returns the ids still held."""
    Reminder.objects.filter(claim=token).update(claimed_at=now)
    return set(Reminder.objects.filter(claim=token).values_list("pk", flat=True))


def deliver_batch(
    token,
    claimed,
    at,
    outcome: Outcome,
    connection,
    should_stop=lambda: False,
    clock=timezone.now,
):
    """Email a claimed batch, reading its latest ferritin values at once and marking them
    sent MARK_EVERY at a time; False when cut short by `should_stop` (the rest is given
    back now rather than after CLAIM_TIMEOUT). The claim is renewed every RENEW_CLAIM
    by `clock`; a reminder no longer held then is left to whoever holds it."""
    latest = latest_ferritin({r.patient_id for r in claimed})
    members = (
        recipients.members_for({r.patient_id for r in claimed}),
        recipients.emailed_already(claimed),
    )
    finished = Finished(token)
    renewed, held = at, None
    try:
        for index, reminder in enumerate(claimed):
            if clock() - renewed >= RENEW_CLAIM:
                renewed = clock()
                held = renew_claim(token, renewed)
            if held is not None and reminder.pk not in held:
                continue
            if should_stop():
                rest = [r.pk for r in claimed[index:]]
                Reminder.objects.filter(pk__in=rest, claim=token).update(
                    claimed_at=None, claim=None
                )
                return False
            deliver(
                reminder,
                token,
                at,
                outcome,
                finished,
                latest.get(reminder.patient_id),
                connection,
                members,
            )
    finally:
        finished.mark()  # what was emailed is marked, even when the pass is cut short
    return True


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
        reminders = list(Reminder.objects.filter(pk__in=pks))
        accounts = recipients.members_for({r.patient_id for r in reminders})
        for reminder in reminders:
            to = [a for a in accounts.get(reminder.patient_id, ()) if recipients.emailable(a)]
            action = "would email " + ", ".join(f"user {a.pk}" for a in to)
            if out:
                out.write(
                    f"reminder {reminder.pk}: {action if to else 'would mark due'} "
                    f"about the re-check of {reminder.remind_on:%Y-%m-%d}"
                )
        return outcome
    # A batch is claimed at once (one UPDATE), its latest ferritin values read at once, and
    # its emails marked sent MARK_EVERY at a time: a few writes per batch, not one per email.
    connection = get_connection()
    open_connection(connection)
    try:
        while pks := candidates(moment()):
            at = moment()
            token, claimed = claim_batch(pks, at)
            outcome.lost += len(pks) - len(claimed)
            if not deliver_batch(token, claimed, at, outcome, connection, should_stop, moment):
                return outcome
    finally:
        connection.close()
    return outcome
