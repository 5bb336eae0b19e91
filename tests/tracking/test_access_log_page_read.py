"""The person page's access-log row written by the page's first read (access_log.row_ahead
with read=True, on PostgreSQL): the same row as the one written after the response, none
when the page ends refused or failed, and the row written after the response as before
when the page comes from the cache."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext

from rlsapp.tracking import access_log, statements
from rlsapp.tracking.access_log import AccessLogEntry
from rlsapp.tracking.memberships import Membership

TABLE = AccessLogEntry._meta.db_table
ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a WITH part of the read on PostgreSQL"
)


def rows():
    return list(
        AccessLogEntry.objects.values_list(
            "person_id", "account_id", "action", "page", "address", "link_label", "link_id"
        )
    )


def writes_to_the_log(queries):
    return [q["sql"] for q in queries if f'INSERT INTO "{TABLE}"' in q["sql"]]


@ON_POSTGRESQL
@pytest.mark.parametrize("role", ["owner", "editor", "viewer"])
def test_the_page_writes_its_row_in_its_first_read(role, owner, patient, make_user, client):
    reader = owner
    if role != "owner":
        reader = make_user(f"{role}@example.com")
        Membership.objects.create(person=patient, account=reader, role=role)
    client.force_login(reader)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(patient.get_absolute_url()).status_code == 200
    [written] = writes_to_the_log(queries)
    assert written.startswith('WITH "logged" AS (INSERT INTO')
    assert not any(q["sql"].startswith("INSERT") for q in queries)
    assert rows() == [(patient.pk, reader.pk, "viewed", "patient_detail", "127.0.0.1", "", None)]


def test_a_cached_page_writes_its_row_after_the_response(owner_client, owner, patient):
    owner_client.get(patient.get_absolute_url())
    AccessLogEntry.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        assert owner_client.get(patient.get_absolute_url()).status_code == 200
    [written] = writes_to_the_log(queries)
    assert written.startswith(f'INSERT INTO "{TABLE}"')
    assert rows() == [(patient.pk, owner.pk, "viewed", "patient_detail", "127.0.0.1", "", None)]


def test_a_page_that_fails_after_its_read_leaves_no_row(owner_client, patient, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug after the page's first read")

    monkeypatch.setattr("rlsapp.web.person_page._read_all", broken)
    owner_client.raise_request_exception = False
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


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_alone_its_commit_does_not_wait_for_the_disk_and_the_setting_stays_in_it(
    owner, patient, client
):
    """Outside any transaction the read is its own: synchronous_commit is off for that
    transaction alone, the row is committed, and the connection's setting is as before."""
    client.force_login(owner)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(patient.get_absolute_url()).status_code == 200
    [written] = writes_to_the_log(queries)
    assert "set_config('synchronous_commit', 'off', true)" in written
    assert rows() == [(patient.pk, owner.pk, "viewed", "patient_detail", "127.0.0.1", "", None)]
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)


@ON_POSTGRESQL
def test_inside_a_transaction_its_commit_is_the_transaction_s(owner_client, patient):
    """A test's transaction (or a caller's) may hold other writes: their commit keeps
    waiting for the disk."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert owner_client.get(patient.get_absolute_url()).status_code == 200
    [written] = writes_to_the_log(queries)
    assert "synchronous_commit" not in written


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
    assert rows() == [(patient.pk, owner.pk, "viewed", "patient_detail", "127.0.0.1", "", None)]
