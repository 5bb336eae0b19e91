import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from rlsapp.domain import estimate as estimates
from rlsapp.domain import recheck
from rlsapp.tracking.models import Patient

from . import calendar

# Emails go out in the morning of the day, in the configured time zone.
SEND_HOUR = 8


def send_time(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(SEND_HOUR)))


def new_event_key() -> str:
    """A new reminder's calendar UID part: unique without the row's id, which the INSERT
    makes."""
    return uuid.uuid4().hex


class ReminderQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(patient__in=Patient.objects.for_user(user))

    def open(self):
        return self.filter(status__in=Reminder.OPEN)

    def sendable(self, now):
        """Waiting for an email now; served by the partial index `reminder_unsent`.

        Columns of this table only: the sender's claim is a conditional UPDATE with this
        filter, and on PostgreSQL a filter through a join makes that `id IN (SELECT ...)`,
        whose subquery is not checked again once a competing claim commits, so two
        senders could both claim a reminder. A deleted person's re-check is left out where
        the sender picks its candidates (sending.candidates) instead."""
        return self.filter(status__in=Reminder.SENDABLE, send_after__lte=now).filter(
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - Reminder.CLAIM_TIMEOUT)
        )


# The rule and its words are domain/estimate.py's (Estimate.basis).
BASIS_CHOICES = [(key, words[0]) for key, words in estimates.BASIS_WORDS.items()]


class Reminder(models.Model):
    """The next ferritin re-check of one patient, and what became of it.

    At most one is open per patient. `due_on` is the date the rules give;
    `remind_on` is the date it is shown and sent for (the snooze date while
    snoozed). Closed ones (done, dismissed) stay as the record of what was asked.
    """

    KIND_CHOICES = [
        (recheck.FIRST, "First re-check after an infusion"),
        (recheck.ROUTINE, "Routine re-check"),
        (recheck.PREDICTED, "Before an estimated fall below the threshold"),
    ]
    UPCOMING, DUE, SENT, DONE, SNOOZED, DISMISSED = (
        "upcoming",
        "due",
        "sent",
        "done",
        "snoozed",
        "dismissed",
    )
    STATUS_CHOICES = [
        (UPCOMING, "Upcoming"),
        (DUE, "Due (not emailed)"),
        (SENT, "Emailed"),
        (DONE, "Done"),
        (SNOOZED, "Snoozed"),
        (DISMISSED, "Dismissed"),
    ]
    OPEN = (UPCOMING, DUE, SENT, SNOOZED)
    # What the stored calendar event shows (calendar.event), besides the pk and patient's name;
    # save(update_fields=...) takes field names or attnames.
    EVENT_SOURCES = frozenset(
        {"patient", "patient_id", "status", "remind_on", "reason", "notes", "updated"}
        | {"estimate_on", "estimate_from", "estimate_to"}
    )
    SENDABLE = (UPCOMING, SNOOZED)
    # A claim older than this belongs to a sender that died mid-way; another may take over.
    CLAIM_TIMEOUT = datetime.timedelta(minutes=15)

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=KIND_CHOICES)
    due_on = models.DateField()
    reason = models.TextField()
    notes = models.TextField(blank=True, help_text="Below the threshold, phosphate: one a line.")
    below_since = models.DateField(null=True, blank=True)
    # The estimate behind a re-check, whatever its kind: the most likely day ferritin
    # reaches the threshold and the 80 % window around it (late end None: open).
    estimate_on = models.DateField(null=True, blank=True)
    estimate_from = models.DateField(null=True, blank=True)
    estimate_to = models.DateField(null=True, blank=True)
    # What the estimate rests on, named beside its dates wherever they are shown.
    estimate_basis = models.CharField(max_length=24, choices=BASIS_CHOICES, blank=True)
    # The newest ferritin result when this was worked out: a newer one closes it.
    latest_ferritin_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=STATUS_CHOICES, default=UPCOMING)
    remind_on = models.DateField()
    soon_from = models.DateField(help_text="From this day on it counts as due soon.")
    snoozed_until = models.DateField(null=True, blank=True)
    send_after = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=120, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    # Set by save() (as auto_now would), before the calendar event that shows it is rendered.
    updated = models.DateTimeField(default=timezone.now, editable=False)
    # The open reminder's VEVENT as the calendar feed serves it but for the disclaimer, which
    # the feed writes at its mark (calendar.stored_event), rendered by save() from the
    # fields in EVENT_SOURCES and the patient's name; '' while closed (the feed omits it).
    calendar_event = models.TextField(blank=True, default="", editable=False)
    # What the event's UID names (calendar.uid), set by save() before the row is inserted so
    # the event is rendered with the row in one INSERT. '' on rows made before it existed:
    # their UID names the row's id, as it always did (calendar clients match events on it).
    event_key = models.CharField(max_length=32, blank=True, default="", editable=False)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["remind_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status__in=["upcoming", "due", "sent", "snoozed"]),
                name="one_open_reminder_per_patient",
            ),
            models.UniqueConstraint(
                fields=["patient", "kind", "due_on"], name="one_reminder_per_occasion"
            ),
        ]
        indexes = [
            models.Index(
                fields=["send_after"],
                condition=Q(status__in=["upcoming", "snoozed"]),
                name="reminder_unsent",
            ),
            # The calendar feed: a user's open re-checks by date, the first FEED_LIMIT.
            models.Index(
                fields=["remind_on", "id"],
                condition=Q(status__in=["upcoming", "due", "sent", "snoozed"]),
                name="reminder_open_by_date",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.remind_on:%Y-%m-%d} ({self.status})"

    def save(self, *args, **kwargs):
        """Save with the calendar event rendered from what is saved.

        Every change of what the event shows goes through here (the scheduler, snooze,
        dismiss, the admin; a rename reschedules, which saves), so the feed can serve the
        stored text as it is. QuerySet.update() bypasses this: it must not change
        EVENT_SOURCES (the sender's updates change status between open states only).
        """
        fields = self.prepare_save(kwargs.get("update_fields"))
        if fields is not None:
            kwargs["update_fields"] = fields
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("patient_detail", args=[self.patient_id])

    def prepare_save(self, fields=None):
        """What save() does before writing (also for the scheduler's one-statement writes,
        saving.py): `updated`, the new row's event key and the calendar event set; returns
        the fields to write (None: all)."""
        render = fields is None or not self.EVENT_SOURCES.isdisjoint(fields)
        if render:
            self.updated = timezone.now()
            if fields is not None:
                fields = {*fields, "updated", "calendar_event"}
        elif "updated" in fields:
            self.updated = timezone.now()
        if self.pk is None and not self.event_key:
            self.event_key = new_event_key()
        if render:
            self.calendar_event = self.render_event()
        return fields

    def render_event(self) -> str:
        return calendar.stored_event(self) if self.is_open else ""

    @property
    def is_open(self):
        return self.status in self.OPEN

    @property
    def window_text(self):
        """The estimate's window in plain words, or '' without an estimated date."""
        if self.estimate_on is None or self.estimate_from is None:
            return ""
        start = f"{self.estimate_from.day} {self.estimate_from:%B %Y}"
        end = f"{self.estimate_to.day} {self.estimate_to:%B %Y}" if self.estimate_to else "later"
        central = f"{self.estimate_on.day} {self.estimate_on:%B %Y}"
        if self.estimate_from == self.estimate_to:
            return f"Estimate: below the threshold around {central}."
        return (
            f"Estimate: below the threshold most likely around {central}; "
            f"8 in 10 chance between {start} and {end}."
        )

    @property
    def note_lines(self):
        return [line for line in self.notes.splitlines() if line]

    def urgency(self, today=None):
        """'overdue', 'today', 'soon' or 'upcoming' in the configured time zone."""
        today = today or timezone.localdate()
        return recheck.urgency(self.remind_on, today, (self.remind_on - self.soon_from).days)

    def describe(self, plan: recheck.Recheck, patient: Patient):
        """Copy the words and dates of a plan whose rule and date are this reminder's."""
        self.patient = patient  # its name is in the calendar event save() renders
        self.reason = plan.reason
        self.notes = "\n".join(plan.notes)
        self.below_since = plan.below_since
        estimate = plan.estimate
        dated = estimate is not None and estimate.has_date
        self.estimate_on = estimate.crossing if dated else None
        self.estimate_from = estimate.early if dated else None
        self.estimate_to = estimate.late if dated else None
        self.estimate_basis = estimate.basis if dated else ""
        self.latest_ferritin_on = plan.latest.day if plan.latest else None
        self.remind_on = self.snoozed_until or self.due_on
        self.soon_from = self.remind_on - datetime.timedelta(days=patient.due_soon_days)

    def schedule(self, plan: recheck.Recheck, patient: Patient):
        """Make this the open reminder for the plan's rule and date, to be sent afresh."""
        self.kind = plan.kind
        self.due_on = plan.due
        self.status = self.UPCOMING
        self.snoozed_until = None
        self.sent_at = self.closed_at = self.claimed_at = self.claim = None
        self.attempts = 0
        self.last_error = ""
        self.describe(plan, patient)
        self.send_after = send_time(self.remind_on)

    def reopen(self, plan: recheck.Recheck, patient: Patient):
        self.status = self.SENT if self.sent_at else self.UPCOMING
        self.closed_at = self.snoozed_until = None
        self.describe(plan, patient)
        self.send_after = None if self.sent_at else send_time(self.remind_on)

    def close(self, status):
        self.status = status
        self.closed_at = timezone.now()
        self.send_after = self.claimed_at = self.claim = None

    def snooze(self, until: datetime.date, due_soon_days: int):
        self.status = self.SNOOZED
        self.snoozed_until = self.remind_on = until
        self.soon_from = until - datetime.timedelta(days=due_soon_days)
        self.send_after = send_time(until)
        self.claimed_at = self.claim = None
        self.attempts = 0


class CalendarFeed(models.Model):
    """A secret address serving a user's open re-checks as iCalendar; a new token revokes it.

    Only the token's SHA-256 is kept (rlsapp/tokens.py): the address is shown once, in the
    answer that made it (feeds.new_calendar_address), and never again."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Calendar feed of user {self.user_id}"

    @staticmethod
    def url_for(token: str) -> str:
        """The feed's address for a token just made (only the hash is stored)."""
        return reverse("calendar_feed", args=[token])


class PersonStatus(models.Model):
    """What the worklist shows of a person, kept by the scheduler (services.sync_patient)
    whenever their records or settings change, so the worklist reads one row per person
    instead of searching each history. A person without one (made without the services)
    is still listed: the worklist reads their name from the person's own row."""

    patient = models.OneToOneField(
        Patient, on_delete=models.CASCADE, primary_key=True, related_name="status"
    )
    # The person's name as of the last store (services.store_status, after every change of
    # the person through tracking.services.save_person), so that the worklist orders and
    # searches everyone from this row and the membership alone. A deleted person has no row
    # (sync_patient removes it; an undo stores it again).
    name = models.CharField(max_length=120, blank=True, default="")
    latest_ferritin = models.FloatField(null=True, blank=True)
    latest_ferritin_comparator = models.CharField(max_length=2, blank=True)
    latest_ferritin_on = models.DateField(null=True, blank=True)
    # Why the latest ferritin is left out of the fits, in the chart's words ('' when it is
    # in them): shown beside it, as the re-check's words were worked out without it.
    latest_ferritin_left_out = models.TextField(blank=True, default="")
    last_infusion_on = models.DateField(null=True, blank=True)
    # Latest ferritin ÷ threshold while below it and untreated since (domain/urgency.py).
    untreated_ratio = models.FloatField(null=True, blank=True)
    # The open re-check as the worklist shows and orders it (None/'' without one), stored
    # with the rest by sync_patient, snooze and dismiss (services.store_recheck): the
    # worklist compares the dates with today when it reads them, so they stay right as days
    # pass. Its status (snoozed) is read from the reminder itself, as the sender changes it.
    recheck_remind_on = models.DateField(null=True, blank=True)
    recheck_soon_from = models.DateField(null=True, blank=True)
    recheck_reason = models.TextField(blank=True, default="")
    recheck_estimate_on = models.DateField(null=True, blank=True)
    recheck_estimate_from = models.DateField(null=True, blank=True)
    recheck_estimate_to = models.DateField(null=True, blank=True)

    def __str__(self):
        return f"Status of patient {self.patient_id}"


class ReminderEmail(models.Model):
    """One member's email about one re-check date: written in the sender's bulk mark, and
    read before sending, so each member gets each reminder once, even when another
    member's email failed and the reminder is retried (sending.py)."""

    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="emails")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # The date the email was about: a snoozed or moved re-check is a new reminder.
    remind_on = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "account", "remind_on"], name="one_email_per_member_and_date"
            )
        ]

    def __str__(self):
        return f"Reminder {self.reminder_id} emailed to user {self.account_id}"
