"""Run a query whose SQL was compiled before, for a page read again and again.

Building and compiling a queryset with annotations and a subquery costs Django more than
PostgreSQL takes to run it. The SQL text and its parameters are a pure function of what
the query was built from, never of the data, so a caller that names everything it builds
from in `key` can reuse them: same key, same SQL, run afresh against the database each
time (nothing read is kept). Each thread keeps its own, as each has its own database
connection.

On PostgreSQL the statement is also prepared on the server (once per connection, which
CONN_MAX_AGE keeps): PostgreSQL then plans it once instead of on every run. Django leaves
psycopg's prepared statements off for all its own queries (a pooler in transaction mode,
such as PgBouncer before 1.21, cannot route a prepared statement to the session that
prepared it); settings.PREPARED_STATEMENTS = False turns ours off too.
"""

import dataclasses
import sys
import threading

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections

try:
    import psycopg
except ImportError:  # only SQLite in use
    psycopg = None

# Statements per thread; a full set is dropped whole and compiled again. Each search text
# and page number typed is a statement of its own, so this alone bounds the memory.
KEPT = 64

_local = threading.local()


@dataclasses.dataclass(frozen=True)
class Statement:
    """SQL ready to run and how to read its rows: `names` name the columns, and Django's
    converters (`compiler`, `converters`) apply to the leading columns a values() query
    compiled to (SQLite gives dates as text, for one)."""

    alias: str
    sql: str
    params: tuple
    names: tuple
    compiler: object
    converters: dict


def of_values(queryset):
    """The Statement of a values() queryset, or None when its filter can match nothing."""
    query = queryset.query
    compiler = query.get_compiler(queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    fields = [s[0] for s in compiler.select[: compiler.col_count]]
    # As django.db.models.query.ValuesIterable names the columns.
    if query.selected:
        names = list(query.selected)
    else:
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
    return Statement(
        queryset.db, sql, tuple(params), tuple(names), compiler, compiler.get_converters(fields)
    )


def rows(key, build):
    """The rows of the Statement `build()` gives (None: no rows) as dicts; `build` is called
    only when `key` was not compiled in this thread before."""
    kept = _local.__dict__.setdefault("kept", {})
    if key in kept:
        statement = kept[key]
    else:
        statement = build()
        if len(kept) >= KEPT:
            kept.clear()
        kept[key] = statement
    if statement is None:
        return []
    with _cursor(connections[statement.alias]) as cursor:
        cursor.execute(statement.sql, statement.params)
        found = cursor.fetchall()
    if statement.converters:
        found = statement.compiler.apply_converters(found, statement.converters)
    names = statement.names
    return [dict(zip(names, row, strict=True)) for row in found]


def values_rows(key, build):
    """The rows of `build()` (a values() queryset) as dicts, as list(build()) gives them."""
    return rows(key, lambda: of_values(build()))


if psycopg is not None:

    class PreparedCursor(psycopg.Cursor):
        """Binds parameters on the server and runs each query as a prepared statement (psycopg
        keeps the names per connection, a bounded number, and prepares again after a
        reconnect or rollback that dropped them)."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            connection = self.connection
            # Django sets the threshold to None, which turns preparing off altogether; a
            # count no query reaches lets prepare=True through and prepares nothing else.
            threshold = connection.prepare_threshold
            connection.prepare_threshold = sys.maxsize
            try:
                return super().execute(query, params, prepare=True, binary=binary)
            finally:
                connection.prepare_threshold = threshold

        def _send_query_prepared(self, name, pgq, *, binary=None):
            # Django's query log reads the query from _query, which psycopg sets only when
            # it sends the text; a prepared statement is logged as prepared ($1 for each
            # parameter).
            self._query = pgq
            super()._send_query_prepared(name, pgq, binary=binary)


def _cursor(connection):
    """A cursor as connection.cursor() gives it (checked, wrapped, and logged or counted
    like any other), that prepares on PostgreSQL."""
    if (
        psycopg is None
        or connection.vendor != "postgresql"
        or not getattr(settings, "PREPARED_STATEMENTS", True)
    ):
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        cursor = PreparedCursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)
