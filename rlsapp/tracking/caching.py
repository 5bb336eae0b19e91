"""Keys for caching what a page renders from a user's records.

A key holds the user's data version (bumped in the same transaction as any change
to their patients' records, see versions.py) and today's date (re-check urgency and
predictions are relative to it). A cached page therefore never outlives its data,
and the cache may be per process (the default) or shared: nothing needs clearing.
"""

from django.utils import timezone

CACHE_SECONDS = 24 * 60 * 60


def versioned_key(user, name, *parts):
    return ":".join(
        str(p) for p in [name, user.pk, user.data_version, timezone.localdate(), *parts]
    )
