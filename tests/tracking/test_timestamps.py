"""PostgreSQL timestamps are parsed by psycopg's C loader (tracking/timestamps.py) into
exactly what Django's own loader gives."""

import datetime

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's loaders"),
]

TEXTS = [
    b"2025-03-03 09:00:00+00",
    b"2025-03-03 09:00:00.123456+00",
    b"2025-03-03 10:00:00.1+01",
    b"2025-03-03 09:00:00+05:30",
    b"1900-01-01 00:00:00+00:09:21",
    b"0001-01-01 00:00:00+00",
]
OUT_OF_RANGE = [b"infinity", b"-infinity", b"2000-01-01 00:00:00+00 BC"]


def _loaders():
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader
    from psycopg import adapters
    from psycopg.pq import Format

    connection.ensure_connection()
    oid = adapters.types["timestamptz"].oid
    loader = connection.connection.adapters.get_loader(oid, Format.TEXT)

    class DjangosLoader(BaseTzLoader):
        timezone = connection.timezone

    context = connection.connection
    return loader(oid, context), DjangosLoader(oid, context)


def test_the_connection_reads_timestamps_with_the_c_parser_as_django_would():
    ours, djangos = _loaders()
    assert type(ours).__name__ == "TzLoader" and ours.timezone is connection.timezone
    for text in TEXTS:
        got, expected = ours.load(text), djangos.load(text)
        assert got == expected and got.tzinfo is expected.tzinfo is datetime.UTC
    for text in OUT_OF_RANGE:
        with pytest.raises(Exception) as ours_error:
            ours.load(text)
        with pytest.raises(Exception) as djangos_error:
            djangos.load(text)
        assert type(ours_error.value) is type(djangos_error.value)
        assert str(ours_error.value) == str(djangos_error.value)


def test_a_timestamp_read_back_is_the_one_written():
    written = datetime.datetime(2025, 3, 3, 9, 0, 0, 123456, tzinfo=datetime.UTC)
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz, %s::timestamptz", [written, None])
        read, nothing = cursor.fetchone()
    assert read == written and read.tzinfo is datetime.UTC and nothing is None
