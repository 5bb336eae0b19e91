"""The person page reads its two statements' rows in PostgreSQL's binary format
(compiled.prepared_cursor's `binary`): every column of them loads to the same value, of
the same type, as from text, for a person with every kind of record."""

import pytest
from django.db import connection

from rlsapp.tracking import compiled
from rlsapp.tracking.models import LabResult
from rlsapp.web import person_page

from .every_record import person_with_every_record

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="rows in binary format on PostgreSQL"
)


def _fields(obj):
    # Every attribute read, with its type and its text (a time zone or a Decimal's
    # exponent shows there), and the same of the objects cached with it.
    own = {k: (type(v), repr(v)) for k, v in vars(obj).items() if k != "_state"}
    cached = {k: _fields(v) for k, v in obj._state.fields_cache.items()}
    return own, cached


@pytest.fixture
def everything(owner):
    return person_with_every_record(owner)


def test_the_records_read_together_load_the_same_in_binary(everything):
    text = compiled.together(
        "person-page", person_page.QUERIES, prepared=True, person=everything.pk
    )
    binary = person_page._read_all(everything)
    assert all(text[name] for name in person_page.QUERIES)  # every kind has rows
    for name in person_page.QUERIES:
        assert [_fields(obj) for obj in binary[name]] == [_fields(obj) for obj in text[name]]


def test_the_results_read_load_the_same_in_binary(everything, monkeypatch):
    binary = LabResult.objects.recent_and_latest(everything, 10)
    prepared_cursor = compiled.prepared_cursor
    monkeypatch.setattr(
        compiled, "prepared_cursor", lambda connection, binary=False: prepared_cursor(connection)
    )
    text = LabResult.objects.recent_and_latest(everything, 10)
    (draws, more, latest), (text_draws, text_more, text_latest) = binary, text
    assert more and text_more and len(draws) == 10
    assert [_fields(draw) for draw in draws] == [_fields(draw) for draw in text_draws]
    assert [[_fields(r) for r in draw.preloaded_results] for draw in draws] == [
        [_fields(r) for r in draw.preloaded_results] for draw in text_draws
    ]
    assert {k: _fields(r) for k, r in latest.items()} == {
        k: _fields(r) for k, r in text_latest.items()
    }
