"""The one writer of memberships besides Patient.save (which keeps the owner's in step):
changing a member's role, removing a member, leaving.

Each change takes effect on the member's next request: every lookup of a person reads the
memberships (tracking/access.py), so a removed member gets the stranger's 404. Each also
moves the person's data version on, so that no page cached under the old membership is
served again (the cache key holds the viewing account's role as well).
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from rlsapp import tokens
from rlsapp.interop.models import PendingImport
from rlsapp.tracking import services as records
from rlsapp.tracking.memberships import (
    EDIT,
    EDITOR,
    OWNER,
    ROLES_THAT_CAN,
    VIEWER,
    Membership,
)
from rlsapp.tracking.models import Patient
from rlsapp.tracking.versions import bump_person_versions

from . import notifications
from .models import ACCEPTED, DECLINED, PENDING, WITHDRAWN, Invitation, Transfer

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


def _lock_person(person_id) -> None:
    """Every change of a person's memberships locks the person first, as a transfer does
    (accept_transfer): taken in the other order (the membership, then the person's version
    at the end), a removal and a transfer accepted at the same moment deadlocked."""
    Patient.objects.select_for_update().filter(pk=person_id).values_list("pk").first()


def change_role(membership: Membership, role: str) -> bool:
    """Make a member an editor or a viewer. False if they already had that role."""
    if role not in GRANTABLE:
        raise SharingRefused("A member can be given “Can edit” or “Can view” only.")
    if membership.role == OWNER:
        raise SharingRefused("The owner’s role cannot be changed.")
    with transaction.atomic():
        _lock_person(membership.person_id)
        changed = (
            Membership.objects.filter(pk=membership.pk, role__in=GRANTABLE)
            .exclude(role=role)
            .update(role=role)
        )
        if changed:
            forget_cached_pages([membership.person_id])
        if changed and role == VIEWER:
            # Trusted less now: an offer of ownership made to them earlier ends too.
            _withdraw_offers(membership.person_id, membership.account_id)
    membership.role = role
    return bool(changed)


def _withdraw_offers(person_id, account_id) -> None:
    Transfer.objects.filter(person_id=person_id, to_account_id=account_id, status=PENDING).update(
        status=WITHDRAWN, closed_at=timezone.now()
    )


def _end(membership: Membership) -> bool:
    """Take a member's access away, with what hung on it: their unconfirmed uploads for
    the person (they hold health data), "This is me" if it named the person, and an offer
    of ownership made to them."""
    if membership.role == OWNER:
        raise SharingRefused("The owner cannot be removed: transfer or delete the person.")
    person_id, account_id = membership.person_id, membership.account_id
    with transaction.atomic():
        _lock_person(person_id)
        deleted, _ = Membership.objects.filter(pk=membership.pk).exclude(role=OWNER).delete()
        if not deleted:
            return False
        PendingImport.objects.filter(owner_id=account_id, patient_id=person_id).delete()
        get_user_model().objects.filter(pk=account_id, me_id=person_id).update(me=None)
        # An offer of ownership ends with the membership: invited back later, the member
        # must not find the old offer still open and take the person over with it.
        _withdraw_offers(person_id, account_id)
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


# Invitations -----------------------------------------------------------------


# Each invitation emails an address the inviter chose: an account may not use the server
# to mail strangers without end.
INVITATIONS_PER_DAY = 100


def _invitation_days() -> int:
    return settings.SHARING_INVITATION_DAYS


def invite(person, by, email: str, role: str) -> tuple[Invitation, str]:
    """The owner invites `email` to `role` (editor, viewer, or owner: a transfer by
    invitation). Returns the invitation and its token, which is stored only hashed: the
    caller mails it (notifications.invited) or, without mail, shows it once. An earlier
    pending invitation to the same address is withdrawn (its link stops working)."""
    email = email.strip().lower()
    if role not in (*GRANTABLE, OWNER):
        raise SharingRefused("Role: choose “Can edit” or “Can view”.")
    if Membership.objects.filter(person=person, account__email__iexact=email).exists():
        raise SharingRefused(f"{email} already has access to {person.name}.")
    now = timezone.now()
    recent = Invitation.objects.filter(
        invited_by=by, created__gt=now - datetime.timedelta(days=1)
    ).count()
    if recent >= INVITATIONS_PER_DAY:
        raise SharingRefused(
            f"You have sent {INVITATIONS_PER_DAY} invitations in the last 24 hours, the most "
            "allowed; try again later."
        )
    token = tokens.new_token()
    with transaction.atomic():
        Invitation.objects.filter(person=person, email=email, status=PENDING).update(
            status=WITHDRAWN, closed_at=now
        )
        invitation = Invitation.objects.create(
            person=person,
            invited_by=by,
            email=email,
            role=role,
            token_hash=tokens.digest(token),
            expires_at=now + datetime.timedelta(days=_invitation_days()),
        )
    return invitation, token


def find_invitation(token: str) -> Invitation | None:
    """The invitation a link names, whatever its state; None for a link that never was."""
    digest = tokens.digest_if_well_formed(token)
    if digest is None:
        return None
    return (
        Invitation.objects.filter(token_hash=digest).select_related("person", "invited_by").first()
    )


def withdraw_invitation(invitation: Invitation) -> bool:
    """The owner withdraws an invitation not yet accepted. False if it was not pending."""
    done = Invitation.objects.filter(pk=invitation.pk, status=PENDING).update(
        status=WITHDRAWN, closed_at=timezone.now()
    )
    return bool(done)


def decline_invitation(invitation: Invitation, account) -> bool:
    """The invitee says no: the link stops working, and the inviter's "People with access"
    page shows the invitation as declined until it would have expired. No email: a
    clinician inviting a whole list of people would get one for each answer, and an
    unanswered invitation needs telling apart from a refused one only where they look.
    Only the invited address may decline. False if it was no longer pending."""
    if not invitation_is_for(invitation, account):
        raise SharingRefused("This invitation is for another email address.")
    now = timezone.now()
    # Conditional, as accepting is: of an accept and a decline at the same moment, one wins.
    done = Invitation.objects.filter(pk=invitation.pk, status=PENDING, expires_at__gt=now).update(
        status=DECLINED, closed_at=now
    )
    return bool(done)


def tell_members_of_erasure(sender, instance, **kwargs) -> None:
    """pre_delete receiver for a person: their other members are emailed once the erasure
    commits (an account's deletion, the admin, a delete past the time to undo), so nobody
    loses a shared person without a word. Read before the memberships go with them."""
    others = list(
        Membership.objects.filter(person_id=instance.pk, account__is_active=True)
        .exclude(role=OWNER)
        .values_list("account__email", flat=True)
    )
    if not others:
        return
    name = instance.name
    owner = get_user_model().objects.filter(pk=instance.owner_id).values_list("email", flat=True)
    owner = owner.first() or "The owner"
    transaction.on_commit(lambda: notifications.person_erased(others, name, owner))


def forget_invitations_to(sender, instance, **kwargs) -> None:
    """post_delete receiver for the user model: an account's deletion takes the invitations
    addressed to it that are over (accepted, declined, withdrawn, expired), which kept its
    address beside another owner's person for good. One still open stays: it is the
    inviter's to withdraw, and it ends when it expires."""
    address = instance.email.strip().lower()
    if not address:
        return
    over = Invitation.objects.filter(email=address).exclude(
        status=PENDING, expires_at__gt=timezone.now()
    )
    over.delete()


def invitation_is_for(invitation: Invitation, account) -> bool:
    """Only an account whose confirmed address is the invited one may accept."""
    return bool(
        account.is_authenticated
        and account.email_confirmed
        and account.email.strip().lower() == invitation.email
    )


def invitation_still_stands(invitation: Invitation, person: Patient) -> bool:
    """An invitation speaks for the owner who made it: once ownership has moved, the
    owner's account is deactivated (as their read-only links stop), or the person is
    deleted (perhaps to be undone), it grants nothing, whatever its status says."""
    return (
        person.deleted_at is None
        and person.owner_id == invitation.invited_by_id
        and invitation.invited_by.is_active
    )


def accept_invitation(invitation: Invitation, account, gets_reminders: bool) -> Membership:
    """The invitee accepts: they become a member with the invited role (or the owner, for
    a transfer). Once only, before it expires, and only by the invited address."""
    if not invitation_is_for(invitation, account):
        raise SharingRefused("This invitation is for another email address.")
    now = timezone.now()
    with transaction.atomic():
        # The person first, then the invitation, in the order a transfer takes them
        # (accept_transfer, _hand_over): the other order deadlocked against a transfer
        # accepted at the same moment on PostgreSQL.
        person = Patient.objects.select_for_update().get(pk=invitation.person_id)
        if not invitation_still_stands(invitation, person):
            raise SharingRefused("This invitation was used, withdrawn or has expired.")
        taken = Invitation.objects.filter(
            pk=invitation.pk, status=PENDING, expires_at__gt=now
        ).update(status=ACCEPTED, closed_at=now, accepted_by=account)
        if not taken:
            raise SharingRefused("This invitation was used, withdrawn or has expired.")
        if invitation.is_transfer:
            membership = _hand_over(person, account)
        else:
            membership, made = Membership.objects.get_or_create(
                person=person,
                account=account,
                defaults={"role": invitation.role, "gets_reminders": gets_reminders},
            )
        forget_cached_pages([person.pk])
        inviter = invitation.invited_by
        transaction.on_commit(lambda: notifications.accepted(inviter, account, person))
    return membership


# Transfers of ownership --------------------------------------------------------


def _hand_over(person: Patient, account) -> Membership:
    """Make `account` the owner. The previous owner stays on as an editor (a clinic handing
    the record to the patient usually goes on treating her); they can leave afterwards.
    Pending transfers and invitations of the person end here."""
    previous = person.owner
    kept = Membership.objects.filter(person=person, account=previous).first()
    person.owner = account
    # Through the record service: Patient.save makes `account` the owner membership and
    # removes the previous owner's; the cached pages of both move on.
    records.save_person(person, by=account)
    Membership.objects.update_or_create(
        person=person,
        account=previous,
        defaults={"role": EDITOR, "gets_reminders": kept.gets_reminders if kept else True},
    )
    now = timezone.now()
    Transfer.objects.filter(person=person, status=PENDING).update(status=WITHDRAWN, closed_at=now)
    # Every invitation the previous owner made ends: the new owner decides who has access.
    Invitation.objects.filter(person=person, status=PENDING).update(status=WITHDRAWN, closed_at=now)
    return Membership.objects.get(person=person, account=account)


def pending_transfer(person) -> Transfer | None:
    return (
        Transfer.objects.filter(person=person, status=PENDING)
        .select_related("to_account", "from_account")
        .first()
    )


def transfer_offered_to(account, person):
    """The transfer of `person` (an id or OuterRef) waiting for `account` to accept."""
    return Transfer.objects.filter(person=person, to_account=account, status=PENDING)


def propose_transfer(person: Patient, by, to: Membership) -> Transfer:
    """The owner offers the person to one of its members; nothing changes until they
    accept."""
    if to.person_id != person.pk or to.role == OWNER:
        raise SharingRefused("Choose a member other than the owner.")
    if person.owner_id != by.pk:
        raise SharingRefused("Only the owner can transfer this person.")
    with transaction.atomic():
        if Transfer.objects.filter(person=person, status=PENDING).exists():
            raise SharingRefused("A transfer is already waiting: cancel it first.")
        transfer = Transfer.objects.create(person=person, from_account=by, to_account=to.account)
        transaction.on_commit(lambda: notifications.transfer_proposed(transfer))
    return transfer


def accept_transfer(transfer: Transfer, account) -> Membership:
    """The member offered the person accepts: they become the owner."""
    if transfer.to_account_id != account.pk:
        raise SharingRefused("This transfer was offered to someone else.")
    with transaction.atomic():
        person = Patient.objects.select_for_update().get(pk=transfer.person_id)
        still_member = Membership.objects.filter(person=person, account=account).exists()
        taken = Transfer.objects.filter(pk=transfer.pk, status=PENDING).update(
            status=ACCEPTED, closed_at=timezone.now()
        )
        # Offered by the owner still: not one ownership has moved from since, nor one the
        # operator deactivated (its offers stop, as its links and invitations do).
        offered_by = (
            get_user_model().objects.filter(pk=transfer.from_account_id, is_active=True).exists()
        )
        if (
            not (taken and still_member and offered_by)
            or person.owner_id != transfer.from_account_id
        ):
            raise SharingRefused("This transfer was cancelled or has ended.")
        membership = _hand_over(person, account)
        transfer.person = person
        transaction.on_commit(lambda: notifications.transfer_accepted(transfer))
    return membership


def cancel_transfer(transfer: Transfer) -> bool:
    """Either side calls the transfer off before it is accepted. False if it had ended."""
    done = Transfer.objects.filter(pk=transfer.pk, status=PENDING).update(
        status=WITHDRAWN, closed_at=timezone.now()
    )
    return bool(done)


# Reminders per member -----------------------------------------------------------


def set_gets_reminders(account, person_ids, on: bool) -> int:
    """Whether `account` gets these people's re-check emails and calendar entries (of the
    people it is a member of; others are ignored). Returns how many changed."""
    return (
        Membership.objects.filter(account=account, person_id__in=list(person_ids))
        .exclude(gets_reminders=on)
        .update(gets_reminders=on)
    )


def set_gets_reminders_where_editing(account, on: bool) -> int:
    """A clinician takes (or drops) the reminders of every person they can edit."""
    editing = Membership.objects.filter(account=account, role__in=ROLES_THAT_CAN[EDIT])
    return editing.exclude(gets_reminders=on).update(gets_reminders=on)
