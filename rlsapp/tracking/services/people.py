"""Deleting a person, undoing that, and erasing them for good.

A delete only marks the person (`deleted_at`): from that moment every lookup leaves
them out (PatientQuerySet.for_user, the calendar feed, the sender, the admin), for
every account, and nothing of theirs changes, so an undo within
settings.PERSON_UNDO_MINUTES gives back exactly what was there: no record is touched
and no change history is written by either. Once the time to undo has passed,
`erase_deleted_people` deletes them with every record and the change history of those
(models.forget_deleted_patients_history): "deleted" then means gone.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from ..memberships import OWNER, Membership
from ..models import Patient
from ..versions import bump_person_versions, one_bump_at_the_end
from .base import SETTINGS, _changed


class UndoTooLate(Exception):
    """The time to undo the delete has passed; the person is erased or about to be."""


class NotDeleted(Exception):
    """The person is not deleted (an undo that came first brought them back)."""


def undo_window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.PERSON_UNDO_MINUTES)


def delete_person(person: Patient, *, now=None) -> None:
    """Hide a person from every account at once; undo_delete_person brings them back until
    the window ends. People deleted before the window are erased now, so erasure does not
    rest on the periodic command alone."""
    now = now or timezone.now()
    erase_deleted_people(now)
    _mark_deleted(person, now)


@one_bump_at_the_end()
def _mark_deleted(person: Patient, now) -> None:
    # An UPDATE, not a save: no history entry and no version change, so an undo leaves the
    # person's row and history exactly as they were.
    Patient.objects.filter(pk=person.pk).update(deleted_at=now)
    person.deleted_at = now
    # The scheduler leaves a deleted person's re-check as it is (an undo finds it again,
    # snoozed or sent as it was); the sender and the feed leave it out meanwhile. The
    # person's data version moves on, so no member's cached page of them is served again.
    _changed([person], [SETTINGS])


@one_bump_at_the_end()
def undo_delete_person(person: Patient, *, now=None) -> Patient:
    """Bring a deleted person back with everything they had. Raises UndoTooLate after the
    window and NotDeleted when they are back already."""
    now = now or timezone.now()
    # Locked, so an erase or a second undo at the same moment waits for this one.
    deleted_at = (
        Patient.objects.select_for_update()
        .filter(pk=person.pk)
        .values_list("deleted_at", flat=True)
        .first()
    )
    if deleted_at is None:
        raise NotDeleted
    if now - deleted_at >= undo_window():
        raise UndoTooLate
    Patient.objects.filter(pk=person.pk).update(deleted_at=None)
    person.deleted_at = None
    # The re-check is worked out again (the days have moved on since the delete), and the
    # person's data version moves on, so every member's pages show them again.
    _changed([person], [SETTINGS])
    return person


@one_bump_at_the_end()
def erase_person(person: Patient) -> None:
    """Delete a person at once with every record and the change history of them (an
    account's deletion, the admin, and deleted people past the time to undo)."""
    # The person's row first (FOR UPDATE, which the delete needs), then their reminders and
    # records: a change of records locks the row before the re-check (versions.lock_people),
    # and the other way round the two deadlock. A change already under way is waited for,
    # and its records are then deleted with the rest.
    list(Patient.objects.select_for_update().filter(pk=person.pk).values_list("pk"))
    person.delete()
    # Nothing derived needs telling: reminders and the worklist's row went with the person,
    # and their pages are a 404 (access is checked before any cached page is read).


@one_bump_at_the_end()
def erase_account(account) -> None:
    """Delete an account with the people it owns (deleted ones waiting for erasure too),
    each with every record and their history; its memberships of others' people go with
    it (a cascade), and those people's pages are drawn again without it."""
    shared_in = list(
        Membership.objects.filter(account=account)
        .exclude(role=OWNER)
        .values_list("person_id", flat=True)
    )
    for person in Patient.objects.filter(owner=account):
        erase_person(person)
    # Cascades to pending imports, the calendar feed, its memberships and the rest.
    account.delete()
    bump_person_versions(shared_in)


def erase_deleted_people(now=None) -> int:
    """Erase everyone deleted longer ago than the time to undo; returns how many."""
    cutoff = (now or timezone.now()) - undo_window()
    erased = 0
    expired = Patient.objects.filter(deleted_at__lte=cutoff).order_by("pk")
    for pk in expired.values_list("pk", flat=True):
        erased += _erase_if_still_deleted(pk, cutoff)
    return erased


@one_bump_at_the_end()
def _erase_if_still_deleted(pk, cutoff) -> int:
    """Each in its own transaction, with the person locked: an undo that won the race
    keeps them."""
    person = Patient.objects.select_for_update().filter(pk=pk, deleted_at__lte=cutoff).first()
    if person is None:
        return 0
    erase_person(person)
    return 1
