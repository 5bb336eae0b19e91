"""Who gets a person's re-check reminders: every member whose membership says so
(Membership.gets_reminders; the owner's is on unless they turn it off), by email if their
account takes reminder emails, and in their calendar feed.

Read a batch at a time by the sender: one query for the members of a batch's people,
one for the emails already sent about its reminders.
"""

import functools
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from rlsapp.tracking import compiled
from rlsapp.tracking.memberships import Membership
from rlsapp.tracking.models import Patient

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


@functools.cache
def _still_getting_sql() -> str:
    """still_getting's query, written once per process from the models' tables and
    columns: it runs once per email, and the ORM would compile it again each time."""
    c, t, account = compiled.column, compiled.table, get_user_model()
    statuses = ", ".join(["%s"] * len(Reminder.SENDABLE))
    return (
        f"SELECT {c(Membership, 'account')}, {c(Patient, 'deleted_at')} FROM {t(Membership)} "
        f"INNER JOIN {t(account)} ON {c(account, 'pk')} = {c(Membership, 'account')} "
        f"INNER JOIN {t(Patient)} ON {c(Patient, 'pk')} = {c(Membership, 'person')} "
        f"WHERE {c(Membership, 'person')} = %s AND {c(Membership, 'gets_reminders')} "
        f"AND {c(account, 'is_active')} AND EXISTS (SELECT 1 FROM {t(Reminder)} "
        f"WHERE {c(Reminder, 'pk')} = %s AND {c(Reminder, 'claim')} = %s "
        f"AND {c(Reminder, 'status')} IN ({statuses}))"
    )


def still_getting(person_id, accounts, reminder_id, claim) -> list | None:
    """Those of `accounts` who, now, still are members of the person getting their reminders
    with an active account, while the sender's `claim` still holds the reminder unsent: read
    again just before emailing, as a member removed (or who turned the person's reminders
    off) after the batch's read must get nothing, nor anyone an email about a re-check that a
    new result closed, or a change moved or snoozed, since it was claimed. None when the
    person was deleted since (the re-check then waits for an undo). One query."""
    claim = Reminder._meta.get_field("claim").get_db_prep_value(claim, connection)
    # Prepared on PostgreSQL: its parameters are ids, a uuid and texts compared with columns.
    with compiled.prepared_cursor(connection) as cursor:
        cursor.execute(_still_getting_sql(), [person_id, reminder_id, claim, *Reminder.SENDABLE])
        rows = cursor.fetchall()
    wanted = {a.pk for a in accounts}
    ids = set()
    for account_id, deleted_at in rows:
        if deleted_at is not None:
            return None
        if account_id in wanted:
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
