"""Keys for caching what a page renders about one person.

A key holds the person's data version (moved on in the same transaction as any change to
their records, settings or reminders, by whichever member: versions.py), the viewing
account and its role (what a page offers depends on them), the account's display
version (moved on when its region changes) and today's date (re-check urgency and
predictions are relative to it). A cached page therefore never outlives its data, and
the cache may be per process (the default) or shared: nothing needs clearing. Access is
checked before the cache is read, so a removed member gets the stranger's 404.
"""

from django.utils import timezone

CACHE_SECONDS = 24 * 60 * 60


def person_key(name, person, account, *parts):
    """`person` as from access.get_patient_for_user (with the account's `role`)."""
    return ":".join(
        str(p)
        for p in [
            name,
            person.pk,
            person.data_version,
            account.pk,
            getattr(person, "role", ""),
            account.data_version,
            timezone.localdate(),
            *parts,
        ]
    )
