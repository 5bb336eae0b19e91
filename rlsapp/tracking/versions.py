"""Each person's data version: moved on in the same transaction as any change to their
records, settings or reminders.

Pages cache what they render about a person under that version (caching.py), so no
cached page can show data older than what has been committed, whichever of the person's
members made the change. Only the services (and the reminder scheduler) move it on.
Moving it on locks the person's row until the commit; `one_bump_at_the_end` keeps that
lock short for saves of several records. A change that reschedules the person's re-check
locks the row earlier, before the history is read (`lock_people`), and holds it to the end.
"""

import contextlib
import contextvars

from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.db.models import F

from .models import Patient

# The person ids noted inside one_bump_at_the_end(), or None outside it.
_waiting = contextvars.ContextVar("person_version_bumps_waiting", default=None)
# How many one_bump_at_the_end() are open inside the outermost one.
_nested = contextvars.ContextVar("person_version_bumps_nested", default=0)
# The people whose rows the outermost one_bump_at_the_end() has locked (lock_people), each
# with the data version their row had when locked.
_locked = contextvars.ContextVar("person_rows_locked", default=None)


def lock_people(person_ids, using="default") -> None:
    """Lock these people's rows until the transaction ends (in id order; FOR NO KEY UPDATE,
    which an insert's foreign-key check does not wait for), unless this transaction has.

    The re-check is worked out from what the person's history holds when it is read
    (READ COMMITTED): two changes to one person at the same time would each read it without
    the other's and the last to write would win. Locked before the read, the second change
    waits for the first to commit and then reads both. Databases without row locks
    (SQLite) let one writer at a time in anyway: nothing to do there."""
    held = _locked.get()
    ids = sorted(set(person_ids) - set(held or ()))
    if not ids or not connections[using].features.has_select_for_update:
        return
    people = Patient.objects.using(using).select_for_update(no_key=True)
    note_locked(dict(people.filter(pk__in=ids).order_by("pk").values_list("pk", "data_version")))


def note_locked(versions: dict) -> None:
    """These people's rows ({id: data version when locked}) are locked now (by lock_people,
    or a statement that locked them) until the transaction ends. Kept only at the outermost
    one_bump_at_the_end, which is the transaction or a savepoint left whole: inside a nested
    one, a rollback to its savepoint would let the lock go (PostgreSQL), so there it is
    taken again when asked for."""
    held = _locked.get()
    if held is not None and not _nested.get():
        held.update(versions)


def changed_since_read(person) -> bool:
    """Whether `person` (an instance read before its row was locked, at the request's start)
    was changed by someone else before the lock: their data version then differs from the
    one the row had when this transaction locked it. A change moves the version on only at
    its end, so this transaction's own changes do not count. False when not known (not
    locked at the outermost service, or no row locks: SQLite)."""
    held = _locked.get()
    if not held or person.pk not in held or "data_version" in person.get_deferred_fields():
        return False  # (a person read without it: asking would be a query for each)
    return held[person.pk] != person.data_version


def bump_person_versions(person_ids) -> None:
    """Move these people's versions on (at the end of the enclosing one_bump_at_the_end)."""
    ids = set(person_ids)
    if not ids:
        return
    waiting = _waiting.get()
    if waiting is not None:
        waiting.update(ids)
        return
    _bump(ids)


def noting() -> bool:
    """Whether bumps are only noted now, to be made at the end of one_bump_at_the_end."""
    return _waiting.get() is not None


def carrying_the_bump(person_id, sql, params, using="default"):
    """`sql` (one statement, run next by the caller) made to move the person's version on
    too, instead of the UPDATE at the end of the enclosing one_bump_at_the_end: one
    statement less. Only when this person alone is waiting for that bump, inside a service's
    own one_bump_at_the_end (not one nested in another, which keeps the row unlocked until
    its outer end), and the database runs data-modifying WITH (PostgreSQL); else `sql` and
    `params` as given, and the bump stays at the end. Services end with their changes'
    handlers (services.base._changed), whose last write carries it: the row is locked for
    about as long. Either way the version moves on inside the change's transaction."""
    waiting = _waiting.get()
    if waiting != {person_id} or _nested.get() or connections[using].vendor != "postgresql":
        return sql, params
    waiting.clear()
    quote = connections[using].ops.quote_name
    opts = Patient._meta
    version = quote(opts.get_field("data_version").column)
    bump = (
        f"WITH {quote('version_bump')} AS (UPDATE {quote(opts.db_table)} "
        f"SET {version} = {version} + 1 WHERE {quote(opts.pk.column)} = %s) "
    )
    return bump + sql, [person_id, *params]


@contextlib.contextmanager
def one_bump_at_the_end():
    """A transaction whose changes move their people's versions on once, at its end.

    Moved on at each change, the person's row was locked from the first change to the
    commit, and a lab result with three values moved it on several times. Moved on at the
    end, still inside the transaction, the row is locked only for the commit, and a page
    still cannot cache older data under the new version. A change rolled back to a
    savepoint may still move a version on: a needless re-render, never a stale page.
    """
    if _waiting.get() is not None:  # inside another: that one moves the versions on
        nested = _nested.set(_nested.get() + 1)
        try:
            with transaction.atomic():
                yield
        finally:
            _nested.reset(nested)
        return
    waiting = set()
    token, locked = _waiting.set(waiting), _locked.set({})
    try:
        with transaction.atomic():
            yield
            _waiting.reset(token)
            token = None
            _bump(waiting)
    finally:
        _locked.reset(locked)
        if token is not None:
            _waiting.reset(token)


def _bump(ids) -> None:
    """With more than one person, their rows are locked in id order first: two writers
    moving overlapping sets on at the same time then wait for each other instead of
    deadlocking."""
    ids = sorted(ids)
    if not ids:
        return
    people = Patient.objects.filter(pk__in=ids)
    # One id needs no lock first. No savepoint: this is all or nothing with its caller.
    with transaction.atomic(savepoint=False) if len(ids) > 1 else contextlib.nullcontext():
        if len(ids) > 1:
            # NO KEY UPDATE, as the UPDATE takes and lock_people holds: a FOR UPDATE would
            # wait for another change's foreign-key check while that one waits for us.
            list(people.select_for_update(no_key=True).order_by("pk").values("pk"))
        people.update(data_version=F("data_version") + 1)


def bump_account_version(account_id) -> None:
    """How this account sees every page changed (its region): its cached pages, of every
    person it can see, are drawn again (the account's version is in each key)."""
    get_user_model().objects.filter(pk=account_id).update(data_version=F("data_version") + 1)
