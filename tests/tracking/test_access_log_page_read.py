"""The person page's access-log row written by the page's first read (access_log.row_ahead
with read=True, on PostgreSQL): the same row as the one written after the response, none
when the page ends refused or failed, and the row written after the response as before
when the page comes from the cache. Told by the rows the log holds and the page's number
of queries, not by the statements' text."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext

from rlsapp.tracking import access_log, statements
from rlsapp.tracking.access_log import AccessLogEntry
from rlsapp.tracking.memberships import Membership
from rlsapp.web import person_sections

ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a WITH part of the read on PostgreSQL"
)


def rows():
    return list(
        AccessLogEntry.objects.values_list(
            "person_id", "account_id", "action", "page", "address", "link_label", "link_id"
        )
    )


def viewed(person, account):
    return [(person.pk, account.pk, "viewed", "patient_detail", "127.0.0.1", "", None)]


def page_queries(client, url) -> int:
    """The queries of one view of the page as it is built (not from the cache), its
    access-log row included however it is written."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@ON_POSTGRESQL
@pytest.mark.parametrize("role", ["owner", "editor", "viewer"])
def test_the_page_writes_its_row_in_its_first_read(
    role, owner, patient, make_user, client, monkeypatch
):
    """The same row as the one written after the response, for one query fewer."""
    reader = owner
    if role != "owner":
        reader = make_user(f"{role}@example.com")
        Membership.objects.create(person=patient, account=reader, role=role)
    client.force_login(reader)
    url = patient.get_absolute_url()
    page_queries(client, url)  # both counts below are of a later view than the first
    with monkeypatch.context() as written_after:
        written_after.setattr(statements, "one_statement", lambda using="default": False)
        AccessLogEntry.objects.all().delete()
        after_the_response = page_queries(client, url)
        assert rows() == viewed(patient, reader)
    AccessLogEntry.objects.all().delete()
    assert page_queries(client, url) == after_the_response - 1
    assert rows() == viewed(patient, reader)


def test_a_cached_page_writes_its_row_after_the_response(owner_client, owner, patient):
    owner_client.get(patient.get_absolute_url())
    AccessLogEntry.objects.all().delete()
    assert owner_client.get(patient.get_absolute_url()).status_code == 200
    assert rows() == viewed(patient, owner)


def test_a_page_that_fails_after_its_reads_leaves_no_row(owner_client, patient):
    """The row its first read wrote ahead goes with the request that failed."""
    owner_client.raise_request_exception = False
    failing = mock.patch.object(person_sections, "sections", side_effect=ValueError("a bug"))
    with failing:
        assert owner_client.get(patient.get_absolute_url()).status_code == 500
    assert not AccessLogEntry.objects.exists()


def test_a_page_ended_otherwise_gets_the_row_it_ended_with(owner_client, owner, patient):
    """A row written ahead that the request's end does not match (here, another page name,
    as a view calling the page for another address would have) is replaced."""
    url = patient.get_absolute_url()
    request = owner_client.get(url).wsgi_request
    AccessLogEntry.objects.all().delete()
    note = access_log._note(request)
    note.ahead = None
    token = access_log._current.set(note)
    try:
        row = access_log.row_ahead(patient.pk, read=True)
        assert row["action"] == "viewed" and row["page"] == "patient_detail"
        entry = access_log.entry_of(row)
        entry.save()
        access_log.written_ahead(row, entry.pk)
        request.resolver_match.url_name = "patient_report"
        assert access_log.write(request, HttpResponse(status=200)) is True
    finally:
        access_log._current.reset(token)
    assert rows() == [(patient.pk, owner.pk, "viewed", "patient_report", "127.0.0.1", "", None)]


def test_no_row_ahead_of_a_read_for_a_change(owner_client, patient):
    request = owner_client.get(patient.get_absolute_url()).wsgi_request
    note = access_log._note(request)
    note.ahead = None
    token = access_log._current.set(note)
    try:
        assert access_log.row_ahead(patient.pk, read=True) is not None
        request.method = "POST"
        assert access_log.row_ahead(patient.pk, read=True) is None
    finally:
        access_log._current.reset(token)


def synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_alone_its_row_is_committed_and_the_setting_stays_in_its_transaction(
    owner, patient, client
):
    """Outside any transaction the read is its own, committed with its row, and the
    connection's synchronous_commit is as before for the next one: the commit that does
    not wait for the disk is that transaction's alone (which this cannot see)."""
    client.force_login(owner)
    assert synchronous_commit() == "on"
    cache.clear()
    assert client.get(patient.get_absolute_url()).status_code == 200
    assert not connection.in_atomic_block
    assert rows() == viewed(patient, owner)
    assert synchronous_commit() == "on"


class RolledBack(Exception):
    pass


@ON_POSTGRESQL
def test_inside_a_transaction_its_row_and_commit_are_the_transaction_s(
    owner_client, owner, patient
):
    """A caller's transaction (here a test's) may hold other writes: the read leaves their
    commit waiting for the disk (the setting unchanged within it), and its row goes with
    the transaction when that is rolled back."""
    cache.clear()
    with pytest.raises(RolledBack), transaction.atomic():
        assert owner_client.get(patient.get_absolute_url()).status_code == 200
        assert rows() == viewed(patient, owner)
        assert synchronous_commit() == "on"
        raise RolledBack
    assert rows() == []


def test_the_row_is_built_only_where_the_read_writes_it(owner_client, owner, patient, monkeypatch):
    """On SQLite the row is written after the response: the page builds none to throw away
    (its address looked up for nothing), and the row logged is the same."""
    built = []
    row_ahead = access_log.row_ahead

    def counting(*args, **kwargs):
        built.append(kwargs)
        return row_ahead(*args, **kwargs)

    monkeypatch.setattr(access_log, "row_ahead", counting)
    assert owner_client.get(patient.get_absolute_url()).status_code == 200
    assert len(built) == (1 if statements.one_statement() else 0)
    assert rows() == viewed(patient, owner)
