"""The one writer of memberships besides Patient.save (which keeps the owner's in step):
changing a member's role, removing a member, leaving.

Each change takes effect on the member's next request: every lookup of a person reads the
memberships (tracking/access.py), so a removed member gets the stranger's 404. Each also
moves the person's data version on, so that no page cached under the old membership is
served again (the cache key holds the viewing account's role as well).
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, Value, When

from rlsapp.interop.models import PendingImport
from rlsapp.tracking.memberships import EDITOR, OWNER, VIEWER, Membership
from rlsapp.tracking.versions import bump_person_versions

from . import notifications

# The roles an owner may give; ownership itself moves only by a transfer.
GRANTABLE = (EDITOR, VIEWER)


class SharingRefused(Exception):
    """What was asked cannot be done (the message says why, in words for the page)."""


def forget_cached_pages(person_ids) -> None:
    """Pages cached about these people are not served again (tracking/caching.py)."""
    bump_person_versions(person_ids)


def members_of(person):
    """Everyone with access, the owner first, then by email."""
    owner_first = Case(When(role=OWNER, then=Value(0)), default=Value(1))
    return (
        Membership.objects.filter(person=person)
        .select_related("account")
        .order_by(owner_first, "account__email")
    )


def change_role(membership: Membership, role: str) -> bool:
    """Make a member an editor or a viewer. False if they already had that role."""
    if role not in GRANTABLE:
        raise SharingRefused("A member can be given “Can edit” or “Can view” only.")
    if membership.role == OWNER:
        raise SharingRefused("The owner’s role cannot be changed.")
    with transaction.atomic():
        changed = (
            Membership.objects.filter(pk=membership.pk, role__in=GRANTABLE)
            .exclude(role=role)
            .update(role=role)
        )
        if changed:
            forget_cached_pages([membership.person_id])
    membership.role = role
    return bool(changed)


def _end(membership: Membership) -> bool:
    """Take a member's access away, with what hung on it: their unconfirmed uploads for
    the person (they hold health data) and "This is me" if it named the person."""
    if membership.role == OWNER:
        raise SharingRefused("The owner cannot be removed: transfer or delete the person.")
    person_id, account_id = membership.person_id, membership.account_id
    with transaction.atomic():
        deleted, _ = Membership.objects.filter(pk=membership.pk).exclude(role=OWNER).delete()
        if not deleted:
            return False
        PendingImport.objects.filter(owner_id=account_id, patient_id=person_id).delete()
        get_user_model().objects.filter(pk=account_id, me_id=person_id).update(me=None)
        forget_cached_pages([person_id])
    return True


def remove_member(membership: Membership) -> bool:
    """The owner removes a member; the member is told by email. False if already gone."""
    removed = _end(membership)
    if removed:
        person, account = membership.person, membership.account
        transaction.on_commit(lambda: notifications.removed(account, person))
    return removed


def leave(membership: Membership) -> bool:
    """A member (anyone but the owner) gives up their access. False if already gone."""
    return _end(membership)
