"""The one write path for read-only links: make, revoke, and find by a presented token."""

import datetime

from django.db.models import F
from django.utils import timezone

from rlsapp import tokens

from .models import ReadOnlyLink

# How long a new link works, in days: the owner picks one; the longest is the default.
DAYS_CHOICES = (1, 7, 30)
DEFAULT_DAYS = 30


def make_link(person, by, days=DEFAULT_DAYS, label="") -> tuple[ReadOnlyLink, str]:
    """A new link to the person's charts and report, and its token, which exists only in
    this answer (the link keeps its hash)."""
    if days not in DAYS_CHOICES:
        raise ValueError(f"days must be one of {DAYS_CHOICES}, not {days!r}")
    token = tokens.new_token()
    link = ReadOnlyLink.objects.create(
        person=person,
        made_by=by,
        label=label,
        token_hash=tokens.digest(token),
        expires=timezone.now() + datetime.timedelta(days=days),
    )
    return link, token


def revoke(link: ReadOnlyLink) -> None:
    """Stop the link now (kept, revoked, in the owner's list)."""
    if link.revoked_at is None:
        ReadOnlyLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )


def end_previous_owners_links(sender, person, **kwargs) -> None:
    """Ownership moved (tracking.memberships.owner_changed): links made by anyone but the
    new owner are revoked. The new owner decides who sees the record, and the previous
    owner, an editor now at most, could no longer see or revoke the links they made."""
    ReadOnlyLink.objects.filter(person_id=person.pk, revoked_at__isnull=True).exclude(
        made_by_id=person.owner_id
    ).update(revoked_at=timezone.now())


def find_working_link(token: str) -> ReadOnlyLink | None:
    """The working link for a presented token, with its person and the person's owner;
    None for an unknown, expired or revoked one, or a deleted person (all answered alike)."""
    hashed = tokens.digest_if_well_formed(token)
    if hashed is None:
        return None
    links = ReadOnlyLink.objects.working().filter(
        token_hash=hashed,
        person__deleted_at__isnull=True,
        person__owner__is_active=True,
        # Only the current owner's links work, however ownership moved.
        made_by=F("person__owner"),
    )
    return links.select_related("person__owner").first()
