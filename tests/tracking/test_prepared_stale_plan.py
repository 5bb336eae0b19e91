"""A statement prepared on a connection (compiled.prepared_cursor) before a column it reads
changed type is refused by PostgreSQL on that connection from then on ("cached plan must
not change result type"): a migration run by another process while the app keeps its
connections (CONN_MAX_AGE) would fail every later request on them. The connection is
dropped at the request's end instead, and the next one prepares the statement again."""

import pytest
from django.db import NotSupportedError, connection

from rlsapp.tracking import compiled

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL prepares statements"
)

TABLE = "review_stale_plan"


def _read():
    with compiled.prepared_cursor(connection) as cursor:
        cursor.execute(f"SELECT word FROM {TABLE} WHERE id = %s", [1])
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_a_stale_prepared_statement_drops_the_connection_at_the_requests_end(settings):
    settings.PREPARED_STATEMENTS = True
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {TABLE} (id integer, word varchar(16))")
        cursor.execute(f"INSERT INTO {TABLE} VALUES (1, 'a')")
    try:
        assert _read() == [("a",)]
        # As a migration run elsewhere would (Django's own cursor: psycopg does not see it).
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN word TYPE varchar(24)")
        with pytest.raises(NotSupportedError, match="cached plan"):
            _read()
        connection.close_if_unusable_or_obsolete()  # what the end of a request does
        assert _read() == [("a",)]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {TABLE}")
