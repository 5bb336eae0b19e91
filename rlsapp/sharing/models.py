"""Sharing's own records (invitations, transfers). The memberships themselves live in
tracking (tracking/memberships.py), because every lookup of a person reads them.

Only sharing/services.py writes these rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from rlsapp.tracking.memberships import EDITOR, OWNER, VIEWER

PENDING, ACCEPTED, WITHDRAWN = "pending", "accepted", "withdrawn"
# An invitation's only: the invitee said no (a transfer offered to a member is cancelled).
DECLINED = "declined"
STATUS_CHOICES = [(PENDING, "Pending"), (ACCEPTED, "Accepted"), (WITHDRAWN, "Withdrawn")]
INVITATION_STATUS_CHOICES = [*STATUS_CHOICES, (DECLINED, "Declined")]


class InvitationQuerySet(models.QuerySet):
    def pending(self, now=None):
        """Not accepted, not withdrawn, not expired."""
        return self.filter(status=PENDING, expires_at__gt=now or timezone.now())


class Invitation(models.Model):
    """The owner's offer of a role on one person to whoever holds the address `email`.

    Role OWNER is a transfer of ownership by invitation: accepting it makes the invitee the
    owner (and the inviter an editor), so both sides have confirmed it.
    """

    ROLE_CHOICES = [(EDITOR, "Can edit"), (VIEWER, "Can view"), (OWNER, "Owner (transfer)")]

    person = models.ForeignKey(
        "tracking.Patient", on_delete=models.CASCADE, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # Lower case: compared with the accepting account's confirmed address.
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=ROLE_CHOICES)
    # The link's token is 256 random bits shown once; only its SHA-256 is kept
    # (rlsapp/tokens.py), so a copy of the database holds no working link.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=INVITATION_STATUS_CHOICES, default=PENDING)
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["created", "pk"]
        constraints = [
            # A new invitation to the same address withdraws the old one first.
            models.UniqueConstraint(
                fields=["person", "email"],
                condition=Q(status=PENDING),
                name="one_pending_invitation_per_address",
            ),
        ]

    def __str__(self):
        return f"Invitation {self.pk} ({self.role}, {self.status})"

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def is_transfer(self):
        return self.role == OWNER


class Transfer(models.Model):
    """The owner's proposal to hand a person to one of its members; done when that member
    accepts, until then either side may cancel it."""

    person = models.ForeignKey(
        "tracking.Patient", on_delete=models.CASCADE, related_name="transfers"
    )
    from_account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    to_account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="transfers_offered"
    )
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=PENDING)
    created = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status=PENDING), name="one_pending_transfer_each"
            ),
        ]

    def __str__(self):
        return f"Transfer {self.pk} of {self.person_id} ({self.status})"
