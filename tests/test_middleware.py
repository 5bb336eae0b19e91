"""When the database is down, every page answers 503 with a plain message, not a stack trace."""

import pytest
from django.db import InterfaceError, OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.urls import reverse

from rlsapp.middleware import BUSY_MESSAGE, MESSAGE, is_lock_wait


@pytest.fixture
def database_down(db):
    """Every new cursor fails as psycopg does when the server is gone (undone before the test
    database is rolled back, hence no monkeypatch)."""

    def refuse(self, *args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 port 5432 failed")

    originals = {name: getattr(BaseDatabaseWrapper, name) for name in ("cursor", "_cursor")}

    def down():
        for name in originals:
            setattr(BaseDatabaseWrapper, name, refuse)

    yield down
    for name, original in originals.items():
        setattr(BaseDatabaseWrapper, name, original)


def assert_plain_503(response):
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/plain")
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert body == MESSAGE
    assert "Traceback" not in body and "5432" not in body


def test_a_signed_in_page_answers_503(owner_client, patient, database_down):
    url = patient.get_absolute_url()
    database_down()
    assert_plain_503(owner_client.get(url))


def test_a_form_post_answers_503_and_says_nothing_was_saved(owner_client, patient, database_down):
    url = reverse("symptom_create", args=[patient.pk])
    database_down()
    response = owner_client.post(url, {"recorded_on": "2024-01-02", "severity": "3"})
    assert_plain_503(response)
    assert "Nothing you sent in this request was saved" in response.content.decode()


def test_the_sign_in_page_answers_503(client, db, database_down):
    database_down()
    response = client.post(reverse("login"), {"username": "a@example.com", "password": "x" * 12})
    assert_plain_503(response)


def test_an_interface_error_is_a_503_too(owner_client, monkeypatch, patient):
    def broken(*args, **kwargs):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr("rlsapp.web.person_page._read_all", broken)
    assert_plain_503(owner_client.get(patient.get_absolute_url()))


def test_a_database_failure_outside_a_view_gets_the_same_503(rf, db, settings):
    """handler500 is the backstop for failures in middleware, where process_exception is not
    called; Django calls it from inside its exception handler."""
    from rlsapp.middleware import server_error

    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        assert_plain_503(server_error(rf.get("/")))


def test_other_errors_are_still_a_500(owner_client, monkeypatch, patient):
    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr("rlsapp.web.person_page._read_all", broken)
    owner_client.raise_request_exception = False
    assert owner_client.get(patient.get_absolute_url()).status_code == 500


def test_the_failure_is_logged_without_details(owner_client, patient, database_down, caplog):
    url = patient.get_absolute_url()
    database_down()
    owner_client.get(url)
    logged = [r.getMessage() for r in caplog.records if r.name == "rlsapp.middleware"]
    assert logged == [f"Database unavailable (OperationalError) on {url}"]


def test_pages_work_again_when_the_database_is_back(owner_client, patient):
    assert connections["default"].is_usable()
    assert owner_client.get(patient.get_absolute_url()).status_code == 200


def test_an_oversized_body_is_refused_before_it_is_read(owner_client, patient, settings):
    settings.MAX_REQUEST_BYTES = 1000
    response = owner_client.post(
        reverse("symptom_create", args=[patient.pk]),
        {"recorded_on": "2024-01-02", "severity": "3", "note": "x" * 2000},
    )
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert not patient.symptom_scores.exists()


def test_a_body_within_the_limit_passes(owner_client, patient):
    response = owner_client.post(
        reverse("symptom_create", args=[patient.pk]), {"recorded_on": "2024-01-02", "severity": "3"}
    )
    assert response.status_code == 302


# Issue 13 item 7: a lock that could not be had in time is not an outage.


class _DriverError(Exception):
    def __init__(self, sqlstate):
        super().__init__("canceling statement due to lock timeout")
        self.sqlstate = sqlstate


def _wrapped(cause):
    try:
        raise OperationalError(str(cause)) from cause
    except OperationalError as error:
        return error


@pytest.mark.parametrize(
    ("error", "busy"),
    [
        (OperationalError("database is locked"), True),
        (_wrapped(_DriverError("55P03")), True),
        (_wrapped(_DriverError("40P01")), True),
        (OperationalError("connection to server at 127.0.0.1 port 5432 failed"), False),
        (OperationalError("no such table: tracking_patient"), False),
    ],
)
def test_a_lock_wait_is_told_apart_from_an_outage(error, busy):
    assert is_lock_wait(error) is busy


def test_a_page_that_could_not_get_a_lock_says_busy_not_unreachable(owner_client, patient):
    def locked(self, *args, **kwargs):
        raise OperationalError("database is locked")

    url = patient.get_absolute_url()
    original = BaseDatabaseWrapper._cursor
    BaseDatabaseWrapper._cursor = locked
    try:
        response = owner_client.get(url)
    finally:
        BaseDatabaseWrapper._cursor = original
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.content.decode() == BUSY_MESSAGE
    assert "cannot reach" not in BUSY_MESSAGE
