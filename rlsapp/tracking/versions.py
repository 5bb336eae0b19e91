"""Each user's data version: moved on in the same transaction as any change to their records.

Pages cache what they render under that version (caching.py), so no cached page can
show data older than what has been committed. Moving it on locks the user's row until
the commit; `one_bump_at_the_end` keeps that lock short for saves of several records.
"""

import contextlib
import contextvars

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F

# The owner filters noted inside one_bump_at_the_end(), or None outside it.
_waiting = contextvars.ContextVar("data_version_bumps_waiting", default=None)


def bump_data_version(**owner_filter):
    waiting = _waiting.get()
    if waiting is not None:
        waiting.append(owner_filter)
        return
    get_user_model().objects.filter(**owner_filter).update(data_version=F("data_version") + 1)


@contextlib.contextmanager
def one_bump_at_the_end():
    """A transaction whose changes move their owners' data versions on once, at its end.

    Moved on at each change, the owner's row was locked from the first change to the
    commit, so one user's concurrent saves ran one at a time, and a lab result with
    three values moved it on five times (bench/). Moved on at the end, still inside the
    transaction, the row is locked only for the commit, and a page still cannot cache
    older data under the new version. A change rolled back to a savepoint may still
    move a version on: a needless re-render, never a stale page.
    """
    if _waiting.get() is not None:  # inside another: that one moves the versions on
        with transaction.atomic():
            yield
        return
    waiting = []
    token = _waiting.set(waiting)
    try:
        with transaction.atomic():
            yield
            _waiting.reset(token)
            token = None
            if waiting:
                _bump_all(waiting)
    finally:
        if token is not None:
            _waiting.reset(token)


def _bump_all(owner_filters):
    """One SELECT for the owners (a UNION of index lookups: OR-ing the filters makes the
    planner scan every draw of the user), then one UPDATE."""
    User = get_user_model()
    unique = list({repr(sorted(f.items())): f for f in owner_filters}.values())
    if (
        len(unique) == 1
        and set(unique[0]) == {"patients__in"}
        and len(unique[0]["patients__in"]) == 1
    ):
        # One person changed (the usual save): their one owner, in one UPDATE.
        User.objects.filter(**unique[0]).update(data_version=F("data_version") + 1)
        return
    owners = [User.objects.filter(**f).values_list("pk", flat=True) for f in unique]
    bump_data_versions(owners[0].union(*owners[1:]) if len(owners) > 1 else owners[0])


def bump_data_versions(user_ids):
    """Several users' versions at once. With more than one, their rows are locked in id
    order first: two writers moving overlapping sets on at the same time then wait for
    each other instead of deadlocking."""
    User = get_user_model()
    ids = sorted(set(user_ids))
    # One id needs no lock first, nor a savepoint around this inside a save.
    with transaction.atomic() if len(ids) > 1 else contextlib.nullcontext():
        if len(ids) > 1:
            list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
        User.objects.filter(pk__in=ids).update(data_version=F("data_version") + 1)
