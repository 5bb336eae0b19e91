"""A prepared statement over psycopg's own rewriting cache (over 4 KB, over 50 parameters)
is rewritten once and runs with each run's own values."""

import pytest
from django.db import connection

from rlsapp.tracking import compiled

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements on PostgreSQL"
)

# 60 typed parameters and a text well over 4 KB.
LONG = "SELECT " + ", ".join(f"CAST(%s AS integer) AS {'c' * 80}{i}" for i in range(60))


def test_a_long_statement_is_rewritten_once_and_runs_with_each_runs_values(db):
    from psycopg import _queries

    assert len(LONG) > _queries.MAX_CACHED_STATEMENT_LENGTH
    compiled._rewritten.cache_clear()
    for first in (0, 100, 200):
        with compiled.prepared_cursor(connection) as cursor:
            cursor.execute(LONG, list(range(first, first + 60)))
            assert cursor.fetchall() == [tuple(range(first, first + 60))]
    assert compiled._rewritten.cache_info().hits == 2
    # What psycopg itself makes of the text, uncached.
    mine = compiled._rewritten(LONG.encode(), "utf-8")
    assert mine == _queries._query2pg_nocache(LONG.encode(), "utf-8")
