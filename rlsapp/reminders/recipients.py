"""Who gets a person's re-check reminders: every member whose membership says so
(Membership.gets_reminders; the owner's is on unless they turn it off), by email if their
account takes reminder emails, and in their calendar feed.

Read a batch at a time by the sender: one query for the members of a batch's people,
one for the emails already sent about its reminders.
"""

from collections import defaultdict

from django.db.models import Exists
from django.utils import timezone

from rlsapp.tracking.memberships import Membership

from .models import Reminder, ReminderEmail


def members_for(person_ids) -> dict[int, list]:
    """Each person's accounts that get their reminders, by person id."""
    found = defaultdict(list)
    rows = (
        Membership.objects.filter(person_id__in=list(person_ids), gets_reminders=True)
        .select_related("account")
        .order_by("person_id", "pk")
    )
    for membership in rows:
        found[membership.person_id].append(membership.account)
    return found


def still_getting(person_id, accounts, reminder_id, claim) -> list | None:
    """Those of `accounts` who, now, still are members of the person getting their reminders
    with an active account, while the sender's `claim` still holds the reminder unsent: read
    again just before emailing, as a member removed (or who turned the person's reminders
    off) after the batch's read must get nothing, nor anyone an email about a re-check that a
    new result closed, or a change moved or snoozed, since it was claimed. None when the
    person was deleted since (the re-check then waits for an undo). One query."""
    held = Reminder.objects.filter(pk=reminder_id, claim=claim, status__in=Reminder.SENDABLE)
    rows = Membership.objects.filter(
        Exists(held),
        person_id=person_id,
        account_id__in=[a.pk for a in accounts],
        gets_reminders=True,
        account__is_active=True,
    ).values_list("account_id", "person__deleted_at")
    ids = set()
    for account_id, deleted_at in rows:
        if deleted_at is not None:
            return None
        ids.add(account_id)
    return [a for a in accounts if a.pk in ids]


def emailable(account) -> bool:
    return bool(account.is_active and account.email and account.email_reminders)


def emailed_already(reminders) -> set[tuple[int, int, object]]:
    """(reminder id, account id, date) of the emails already sent about these reminders."""
    return set(
        ReminderEmail.objects.filter(reminder__in=[r.pk for r in reminders]).values_list(
            "reminder_id", "account_id", "remind_on"
        )
    )


def record(sent) -> None:
    """Note emails sent: `sent` holds (reminder, account) pairs."""
    if not sent:
        return
    now = timezone.now()
    ReminderEmail.objects.bulk_create(
        [
            ReminderEmail(reminder_id=r.pk, account_id=a.pk, remind_on=r.remind_on, sent_at=now)
            for r, a in sent
        ],
        ignore_conflicts=True,  # a sender that took over a stale claim sent it too
    )


def feed_filter(account_id) -> dict:
    """Reminder filter for an account's calendar feed: the people whose reminders it gets."""
    return {
        "patient__memberships__account_id": account_id,
        "patient__memberships__gets_reminders": True,
    }
