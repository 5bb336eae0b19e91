"""A draw's access-log row written in the draw's own statement (access_log.row_ahead): the
same row as the one written after the response, and none or another when the request ends
otherwise than the row said."""

import pytest
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from rlsapp.tracking import access_log
from rlsapp.tracking.access_log import AccessLogEntry

from .helpers import draw_post

TABLE = AccessLogEntry._meta.db_table


def rows():
    # In the order written: PostgreSQL returns an unordered read in any order, and the tests
    # below read the second row as the second written.
    return list(
        AccessLogEntry.objects.order_by("pk").values_list(
            "person_id", "account_id", "action", "page", "address", "link_label", "link_id"
        )
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement on PostgreSQL")
def test_a_saved_draw_writes_its_row_in_its_own_statement(owner_client, owner, patient, today):
    url = reverse("draw_create", args=[patient.pk])
    with CaptureQueriesContext(connection) as queries:
        assert owner_client.post(url, draw_post(today, ferritin="45")).status_code == 302
    alone = [q["sql"] for q in queries if q["sql"].startswith(f'INSERT INTO "{TABLE}"')]
    assert alone == []
    assert rows() == [(patient.pk, owner.pk, "changed", "draw_create", "127.0.0.1", "", None)]
    # A form sent back writes its "viewed" row after the response, as before.
    assert owner_client.post(url, draw_post(today, ferritin="x")).status_code == 200
    assert rows()[1:] == [(patient.pk, owner.pk, "viewed", "draw_create", "127.0.0.1", "", None)]


@pytest.fixture
def draw_request(owner, patient):
    """A POST to the draw form that reached the person, as the middleware answers it."""
    url = reverse("draw_create", args=[patient.pk])
    request = RequestFactory().post(url)
    request.user, request.resolver_match = owner, resolve(url)
    note = access_log._note(request)
    token = access_log._current.set(note)
    access_log.note(request, patient.pk)
    yield request
    access_log._current.reset(token)


def write_ahead(patient):
    row = access_log.row_ahead(patient.pk)
    entry = access_log.entry_of(row)
    entry.save()
    access_log.written_ahead(row, entry.pk)
    return entry


def test_the_row_ahead_is_the_row_written_after_the_response(draw_request, patient):
    write_ahead(patient)
    access_log.records_changed([patient], {"draws"})
    assert access_log.write(draw_request, HttpResponse(status=302)) is True
    assert rows() == [
        (patient.pk, draw_request.user.pk, "changed", "draw_create", "127.0.0.1", "", None)
    ]


def test_a_row_ahead_rolled_back_with_its_change_is_written_after(draw_request, patient):
    with pytest.raises(RuntimeError), transaction.atomic():
        write_ahead(patient)
        raise RuntimeError("the change failed after its statement")
    assert not AccessLogEntry.objects.exists()
    access_log.records_changed([patient], {"draws"})
    assert access_log.write(draw_request, HttpResponse(status=302)) is True
    assert [r[2] for r in rows()] == ["changed"]


def test_a_row_ahead_goes_when_the_request_ends_refused(draw_request, patient):
    write_ahead(patient)
    assert access_log.write(draw_request, HttpResponse(status=500)) is False
    assert not AccessLogEntry.objects.exists()


def test_a_row_ahead_is_replaced_when_the_request_ends_as_a_view(draw_request, patient):
    ahead = write_ahead(patient)
    # Nothing reported as changed and the form sent back: today's row is "viewed".
    assert access_log.write(draw_request, HttpResponse(status=200)) is True
    assert [r[2] for r in rows()] == ["viewed"]
    assert not AccessLogEntry.objects.filter(pk=ahead.pk).exists()


def test_no_row_ahead_for_another_person_a_read_or_without_a_request(draw_request, patient):
    assert access_log.row_ahead(patient.pk + 1) is None
    draw_request.method = "GET"
    assert access_log.row_ahead(patient.pk) is None
    token = access_log._current.set(None)
    try:
        assert access_log.row_ahead(patient.pk) is None
    finally:
        access_log._current.reset(token)
