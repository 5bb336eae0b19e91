"""Who may see a person's records, and what they may do: one membership per account.

Every person has exactly one owner (kept in step with `Patient.owner` by
`Patient.save`); others may be editors or viewers. Every lookup of a person by an
account goes through these rows (`Patient.objects.for_user`), so a person shared with an
account appears wherever that account's own people do.
"""

from django.conf import settings
from django.db import models
from django.dispatch import Signal

OWNER, EDITOR, VIEWER = "owner", "editor", "viewer"
ROLE_CHOICES = [(OWNER, "Owner"), (EDITOR, "Can edit"), (VIEWER, "Can view")]

# What each role may do; views ask for the least they need (access.get_patient_for_user).
VIEW, EDIT, OWN = "view", "edit", "own"
ALLOWED = {
    OWNER: {VIEW, EDIT, OWN},
    EDITOR: {VIEW, EDIT},
    VIEWER: {VIEW},
}
ROLES_THAT_CAN = {
    need: [role for role, can in ALLOWED.items() if need in can] for need in (VIEW, EDIT, OWN)
}


def role_allows(role: str, need: str) -> bool:
    return need in ALLOWED.get(role, ())


class PatientQuerySet(models.QuerySet):
    def for_user(self, user, need="view"):
        """The people the account may see (or, with need="edit"/"own", change or own).
        A deleted person (waiting to be erased, services.delete_person) is no one's."""
        if not user.is_authenticated:
            return self.none()
        return self.for_account(user.pk, need)

    def for_account(self, account_id, need="view"):
        """for_user by the account's id."""
        if need == "view":  # every membership can view
            return self.filter(memberships__account_id=account_id, deleted_at__isnull=True)
        return self.filter(
            memberships__account_id=account_id,
            memberships__role__in=ROLES_THAT_CAN[need],
            deleted_at__isnull=True,
        )

    def deleted_by(self, user):
        """The people the account owns and has deleted, not erased yet (for the undo)."""
        return self.filter(
            memberships__account=user, memberships__role=OWNER, deleted_at__isnull=False
        )

    def with_role(self, user):
        """Each person with `role`: the account's role on them (None if not a member)."""
        role = Membership.objects.filter(person=models.OuterRef("pk"), account=user)
        return self.annotate(role=models.Subquery(role.values("role")[:1]))


class Membership(models.Model):
    person = models.ForeignKey(
        "tracking.Patient", on_delete=models.CASCADE, related_name="memberships"
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=ROLE_CHOICES)
    # Whether this member gets the person's re-check emails and calendar entries.
    gets_reminders = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "person"], name="one_membership_each"),
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(role=OWNER), name="one_owner_each"
            ),
        ]

    def __str__(self):
        # Read where people look at memberships (the admin, which joins both in its lists).
        return f"{self.account}: {self.get_role_display().lower()}, {self.person}"


# Sent with `person` when ownership moves from one account to another (a transfer, the
# admin), not when a person is made: what a previous owner set up for the person alone,
# such as read-only links (rlsapp/links), ends with their ownership.
owner_changed = Signal()


def make_owner(person) -> None:
    """Make `person.owner` the owner membership. A previous owner loses access (as when the
    admin moves a person to another account); a transfer that keeps them adds them back."""
    previous, _ = (
        Membership.objects.filter(person=person, role=OWNER)
        .exclude(account_id=person.owner_id)
        .delete()
    )
    Membership.objects.update_or_create(
        person=person, account_id=person.owner_id, defaults={"role": OWNER}
    )
    if previous:
        owner_changed.send(sender=Membership, person=person)


def add_owner_memberships(persons) -> None:
    """Owner memberships for people made with bulk_create (which skips `Patient.save`)."""
    Membership.objects.bulk_create(
        [Membership(person_id=p.pk, account_id=p.owner_id, role=OWNER) for p in persons]
    )


def is_me(account, person) -> bool:
    """Whether `account` marked `person` as itself ("This is me", accounts/me.py): the one
    rule for speaking to the reader in the second person and for the person page's "This
    is you"."""
    me = getattr(account, "me_id", None)
    return me is not None and me == getattr(person, "pk", None)


def set_me(account, person) -> None:
    """Mark `person` (one the account can see: the caller checked) as the account's own
    ("This is me" on the person's page, or "my own records" when adding the first person)."""
    account.me = person
    account.save(update_fields=["me"])


def unset_me(account) -> None:
    account.me = None
    account.save(update_fields=["me"])


def owned_and_shared(account) -> list:
    """The people `account` owns that other accounts share, each with `others` (those
    accounts' memberships): deleting the account deletes them for those accounts too."""
    from .models import Patient

    return list(
        Patient.objects.filter(owner=account, memberships__role__in=[EDITOR, VIEWER])
        .distinct()
        .prefetch_related(
            models.Prefetch(
                "memberships",
                Membership.objects.exclude(role=OWNER).select_related("account"),
                to_attr="others",
            )
        )
    )
