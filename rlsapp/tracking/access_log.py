"""Who saw and changed a person's records: one row per page, beside the change history.

The change history (simple_history) says what each record was; this log says who opened
the person's pages, changed them or exported them, whether an account or a read-only
link (rlsapp/links), and from which address. Addresses are kept ACCESS_LOG_ADDRESS_DAYS
(30), rows ACCESS_LOG_RETENTION_DAYS (a year); `manage.py purge_access_log` drops both.

How a row is made: the access helpers (access.py) and the link views `note` on the
request which person was reached; AccessLogMiddleware writes one row per request, after
the response, and only for an answer below 400 (a 403 or 404 reached nothing); the
account's whole export (every person it sees, in one zip) writes one row per person.
A service that changed records during the request says so (`records_changed`, one of
settings.RECORDS_CHANGED_HANDLERS), so a form sent back with errors stays "viewed".
A new lab draw writes the row its request will be logged with inside its own statement
(row_ahead, services/new_draw.py), and so does the person page's first read on PostgreSQL
(row_ahead with read=True, ahead_part); write() then keeps it, or removes it when the
request ended otherwise (refused, sent back, failed, rolled back), so the rows are the same
either way.
"""

import contextvars
import datetime
import weakref

from django.conf import settings
from django.db import connections, models, router, transaction
from django.utils import timezone

from . import compiled, statements

VIEWED, CHANGED, EXPORTED = "viewed", "changed", "exported"
ACTION_CHOICES = [(VIEWED, "Viewed"), (CHANGED, "Changed"), (EXPORTED, "Exported")]
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

# The note of the request being answered (AccessLogMiddleware sets it), so that a service,
# which has no request, can say that it changed records.
_current = contextvars.ContextVar("access_log_note", default=None)


class AccessLogEntry(models.Model):
    # No index of its own: access_log_person_at (person first) serves every lookup by
    # person, the cascade's too, and each page view would update both.
    person = models.ForeignKey(
        "tracking.Patient", on_delete=models.CASCADE, related_name="access_log", db_index=False
    )
    # Null for a read-only link's view, and after the account is deleted.
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    # A read-only link is named and numbered, not referenced: links live in an app above
    # this one (rlsapp/links), and a row outlives its link.
    link_label = models.CharField(max_length=80, blank=True)
    link_id = models.PositiveBigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=10, choices=ACTION_CHOICES)
    # The URL's name: which page (person page, report, export…), never its address.
    page = models.CharField(max_length=60, blank=True)
    at = models.DateTimeField(default=timezone.now)
    address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["person", "-at"], name="access_log_person_at"),
            models.Index(fields=["at"], name="access_log_at"),
        ]

    def __str__(self):
        return f"{self.action} {self.person_id} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def who(self):
        if self.link_label:
            return self.link_label
        return self.account.email if self.account else "a deleted account"


class Note:
    """What a request reached, filled in while it is answered."""

    __slots__ = (
        "person_id",
        "people",
        "action",
        "link_label",
        "link_id",
        "changed",
        "quiet",
        "request",
        "ahead",
    )

    def __init__(self):
        self.person_id = None
        self.people = ()
        self.action = None
        self.link_label = ""
        self.link_id = None
        self.changed = set()
        self.quiet = False
        self.request = None  # a weak reference, set when a person is reached
        self.ahead = None  # _Ahead: the row already written with the request's change


def _note(request):
    note = getattr(request, "_access_note", None)
    if note is None:
        note = request._access_note = Note()
    return note


def note(request, person_id, *, action=None, link=None):
    """Record on the request that it reached this person (the last one noted counts), by
    the signed-in account or through a read-only link (`link`: its id and label)."""
    if request is None:
        return
    n = _note(request)
    n.request = weakref.ref(request)
    n.person_id = person_id
    n.action = action or n.action
    if link is not None:
        n.link_id, n.link_label = link


def not_a_page(request):
    """A part of a page already logged (the chart data its page fetches): no row."""
    _note(request).quiet = True


def exports_person(view):
    """Mark a view whose answer is a copy of the person's records: logged as "exported"."""
    view.access_log_action = EXPORTED
    return view


def exports_people(request, person_ids) -> None:
    """The answer is a copy of all these people's records (the account's export): an
    "exported" row for each, so each person's log shows who took their records away."""
    n = _note(request)
    n.people = tuple(person_ids)
    n.action = EXPORTED


def records_changed(persons, kinds) -> None:
    """settings.RECORDS_CHANGED_HANDLERS: the services changed these people's records."""
    current = _current.get()
    if current is not None:
        current.changed.update(person.pk for person in persons)


def action_for(request, response, note: Note, view_action=None):
    if view_action or note.action:
        return view_action or note.action
    if request.method in SAFE_METHODS:
        return VIEWED
    # A change is what a service reported, or a form's redirect after a successful POST.
    if note.person_id in note.changed or 300 <= response.status_code < 400:
        return CHANGED
    return VIEWED


def client_address(request):
    """The client's address as axes reads it (its ipware settings count the proxies).

    ipware reads the headers AXES_IPWARE_META_PRECEDENCE_ORDER names, but first folds every
    header's name, in case one of them is spelt another way; a WSGI request's names are
    folded already (HTTP_X_FORWARDED_FOR), so it is handed those headers alone: the same
    address, without folding each request's other headers for it. A deployment's own
    AXES_CLIENT_IP_CALLABLE gets the request as it is."""
    from axes.conf import settings as axes_settings  # axes reads its settings at import
    from axes.helpers import get_client_ip_address

    if axes_settings.AXES_CLIENT_IP_CALLABLE:
        return get_client_ip_address(request)
    meta = request.META
    named = {n: meta[n] for n in axes_settings.AXES_IPWARE_META_PRECEDENCE_ORDER if n in meta}
    return get_client_ip_address(_WithHeaders(request, named))


class _WithHeaders:
    """The request with only these headers in its META; anything else read of it is its."""

    def __init__(self, request, meta):
        self._request, self.META = request, meta

    def __getattr__(self, name):
        return getattr(self._request, name)


def _row(request, note: Note, action, address=None) -> dict:
    """The row's columns but the person's (`address`: the request's, if read already)."""
    user = getattr(request, "user", None)
    by_account = note.link_id is None and user is not None and user.is_authenticated
    return {
        # A link's view is the link's, whoever happens to be signed in in that browser.
        "account": user.pk if by_account else None,
        "link_label": note.link_label,
        "link_id": note.link_id,
        "action": action,
        "page": (getattr(request.resolver_match, "url_name", "") or "")[:60],
        "at": timezone.now(),
        "address": client_address(request) if address is None else address,
    }


def write(request, response, view_action=None) -> bool:
    """The request's one row; False when it reached no person or was refused."""
    note = getattr(request, "_access_note", None)
    if note is None:
        return False
    ahead = note.ahead
    if ahead is not None and not ahead.stands():
        ahead = note.ahead = None  # rolled back with the change it was written with
    people = note.people or ([] if note.person_id is None else [note.person_id])
    if note.quiet or response.status_code >= 400 or not people:
        if ahead is not None:
            ahead.remove()
        return False
    address = ahead.row["address"] if ahead is not None else None
    row = _row(request, note, action_for(request, response, note, view_action), address)
    if ahead is not None:
        if people == [ahead.row["person"]] and ahead.same_as(row):
            return True
        ahead.remove()  # the request ended otherwise than the row written ahead said
    _insert([{"person": person, **row} for person in people])
    return True


class _Ahead:
    """The request's row, written by a service in its change's statement (row_ahead)."""

    __slots__ = ("pk", "row", "using", "committed", "callback")

    def __init__(self, pk, row, using):
        self.pk, self.row, self.using, self.committed = pk, row, using, False

        def committed():
            self.committed = True

        self.callback = committed

    def stands(self) -> bool:
        """Committed, or still waiting for the commit of a transaction around it (a test's,
        a caller's). A savepoint or transaction rolled back drops its on_commit callbacks,
        and with them this one: then the row is gone too."""
        if self.committed:
            return True
        pending = connections[self.using].run_on_commit
        return any(entry[1] is self.callback for entry in pending)

    def same_as(self, row) -> bool:
        return all(row[name] == self.row[name] for name in row if name != "at")

    def remove(self) -> None:
        AccessLogEntry.objects.using(self.using).filter(pk=self.pk).delete()


def row_ahead(person_id, *, read=False) -> dict | None:
    """The row this request will be logged with if it ends as a saved change to this person
    (action_for: "changed"), for a service to write in its change's own statement: one
    statement and one commit fewer than the row written after the response. With `read`,
    the row of a GET or HEAD that reached this person ("viewed", or its view's action), for
    a page to write in its own read (ahead_part). None when the request is not one whose
    row that is (another person, several, a read or a change not asked for, no request).
    write() checks the row against the request's end and removes it if that differs."""
    note = _current.get()
    if note is None or note.ahead is not None or note.quiet or note.people:
        return None
    request = note.request() if note.request is not None else None
    if request is None or note.person_id != person_id or (request.method in SAFE_METHODS) != read:
        return None
    action = getattr(request, "_access_view_action", None) or note.action
    return {"person": person_id, **_row(request, note, action or (VIEWED if read else CHANGED))}


def ahead_part(row: dict, using="default") -> tuple[str, list]:
    """`row` (row_ahead's) as a data-modifying WITH part of another statement, "logged" AS
    (INSERT ... RETURNING its id), and its params (PostgreSQL, statements.one_statement).
    A statement that is its own transaction (no atomic block around it) writes nothing
    else, and its commit does not wait for the log to reach the disk (synchronous_commit
    off for that transaction alone): a crash of the database server can lose the last
    fraction of a second of such rows, as a crash of the app between its response and the
    row written after it always could. Any other write keeps its synchronous commit."""
    connection = connections[using]
    log = statements.layout(AccessLogEntry, using)
    params = [
        column.field.get_db_prep_save(row[column.field.name], connection) for column in log.inserted
    ]
    values = ", ".join(column.placeholder for column in log.inserted)
    if connection.in_atomic_block:
        source = f"VALUES ({values})"
    else:
        source = f"SELECT {values} FROM (SELECT set_config('synchronous_commit', 'off', true)) s"
    sql = (
        f'"logged" AS (INSERT INTO {log.table} ({log.names(log.inserted)}) {source} '
        f"RETURNING {log.pk})"
    )
    return sql, params


def entry_of(row: dict) -> AccessLogEntry:
    """An unsaved entry holding a row as _insert writes it."""
    return AccessLogEntry(
        **{AccessLogEntry._meta.get_field(name).attname: value for name, value in row.items()}
    )


def written_ahead(row: dict, pk, using="default") -> None:
    """The service wrote `row` (row_ahead's) as log entry `pk`: write() leaves it be."""
    note = _current.get()
    note.ahead = _Ahead(pk, row, using)
    transaction.on_commit(note.ahead.callback, using=using)


# Rows per INSERT of a whole export: SQLite takes at most 32,766 parameters a statement.
ROWS_PER_INSERT = 500


def _insert(rows: list[dict]) -> None:
    """Rows written as the fields' own preparation gives the values: every page that
    reaches a person writes one (a prepared INSERT on PostgreSQL), and the model's save
    machinery (signals, defaults, refreshing the instance) does nothing these rows need.
    The log has no signal receivers."""
    connection = connections[router.db_for_write(AccessLogEntry)]
    fields = [AccessLogEntry._meta.get_field(name) for name in rows[0]]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(AccessLogEntry._meta.db_table)
    row_places = "(" + ", ".join(["%s"] * len(fields)) + ")"
    for start in range(0, len(rows), ROWS_PER_INSERT):
        chunk = rows[start : start + ROWS_PER_INSERT]
        params = [
            field.get_db_prep_save(value, connection)
            for row in chunk
            for field, value in zip(fields, row.values(), strict=True)
        ]
        sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_places] * len(chunk))}"
        if len(chunk) == 1:
            with compiled.prepared_cursor(connection) as cursor:
                cursor.execute(sql, params)
        else:
            # Not prepared: each size of export would be a statement of its own.
            with connection.cursor() as cursor:
                cursor.execute(sql, params)


def entries_for(person, limit):
    return list(
        AccessLogEntry.objects.filter(person=person)
        .select_related("account")
        .order_by("-at", "-pk")[:limit]
    )


# How long after a read-only link's logged page its chart data counts as that page's.
PAGE_PARTS_WITHIN = datetime.timedelta(minutes=10)


def link_page_logged_lately(person_id, link_id, now=None) -> bool:
    """Whether the link's page was logged within PAGE_PARTS_WITHIN: its chart data is then
    part of that view. Fetched alone (a script reading the data without the page), it is
    a view of its own: a link's holder has no account, and the log is the only trace."""
    since = (now or timezone.now()) - PAGE_PARTS_WITHIN
    rows = AccessLogEntry.objects.filter(person_id=person_id, link_id=link_id, at__gte=since)
    return rows.exists()  # on the (person, at) index


def last_views_of_links(person) -> dict[int, datetime.datetime]:
    """Each of the person's links' last view, by link id (one query)."""
    rows = (
        AccessLogEntry.objects.filter(person=person, link_id__isnull=False)
        .values("link_id")
        .annotate(last=models.Max("at"))
    )
    return {row["link_id"]: row["last"] for row in rows}


def purge(now=None) -> dict[str, int]:
    """Rows past the retention time deleted, addresses past theirs blanked."""
    now = now or timezone.now()
    keep = datetime.timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS)
    keep_address = datetime.timedelta(days=settings.ACCESS_LOG_ADDRESS_DAYS)
    deleted, _ = AccessLogEntry.objects.filter(at__lt=now - keep).delete()
    blanked = AccessLogEntry.objects.filter(
        at__lt=now - keep_address, address__isnull=False
    ).update(address=None)
    return {"deleted": deleted, "addresses dropped": blanked}
