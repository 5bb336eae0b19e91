"""Signed-in pages are not stored by browsers or proxies, and an idle session ends."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import client_for

START = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def idle_timeout(settings):
    """The timeout as configured (conftest turns it off for other tests)."""
    from rlsapp import settings as configured

    settings.SESSION_IDLE_TIMEOUT_HOURS = configured.SESSION_IDLE_TIMEOUT_HOURS
    settings.SESSION_LIFETIME_HOURS = configured.SESSION_LIFETIME_HOURS


def at(hours):
    return time_machine.travel(START + datetime.timedelta(hours=hours), tick=False)


@pytest.mark.parametrize("url_name", ["worklist", "account_settings", "patient_detail"])
def test_signed_in_pages_say_no_store(owner_client, patient, url_name):
    url = reverse(url_name, args=[patient.pk] if url_name == "patient_detail" else [])
    response = owner_client.get(url)
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives


def test_the_idle_timeout_is_twelve_hours_by_default(idle_timeout):
    assert settings.SESSION_IDLE_TIMEOUT_HOURS == 12


def test_activity_keeps_the_session(client, owner, idle_timeout):
    with at(0):
        client.force_login(owner)
    for hours in (11, 22, 33):
        with at(hours):
            assert client.get(reverse("account_settings")).status_code == 200


def test_twelve_idle_hours_end_the_session(client, owner, idle_timeout):
    with at(0):
        client.force_login(owner)
        assert client.get(reverse("account_settings")).status_code == 200
    with at(12.1):
        response = client.get(reverse("account_settings"))
        assert response.status_code == 302
        assert response["Location"] == reverse("login") + "?next=" + reverse("account_settings")
        page = client.get(response["Location"]).content.decode()
        assert "signed out after 12 hours without activity" in page
    with at(12.2):
        # Ended for good: not just this one request.
        assert client.get(reverse("account_settings")).status_code == 302


def test_a_page_view_does_not_write_the_session_every_time(client, owner, idle_timeout):
    """Activity is noted at most every few minutes, so cached pages stay at two queries."""
    with at(0):
        client.force_login(owner)
        client.get(reverse("account_settings"))
    with at(0.01), CaptureQueriesContext(connection) as captured:
        client.get(reverse("account_settings"))
    writes = [q["sql"] for q in captured.captured_queries if "django_session" in q["sql"]]
    assert not [sql for sql in writes if not sql.startswith("SELECT")]


def test_a_session_ends_fourteen_days_after_signing_in_however_active(client, owner, idle_timeout):
    """Django's cookie expiry moves on with each save of the session (the activity note
    above saves it every few minutes), so a session used twice a day lasted for ever, a
    stolen one too."""
    with at(0):
        client.force_login(owner)
    for hours in range(10, 14 * 24, 10):
        with at(hours):
            assert client.get(reverse("account_settings")).status_code == 200
    with at(14 * 24 + 0.1):
        response = client.get(reverse("account_settings"))
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()
        assert "signed out 14 days after signing in" in page
    with at(14 * 24 + 0.2):
        assert client.get(reverse("account_settings")).status_code == 302


def test_a_session_signed_in_before_the_lifetime_counts_from_its_next_request(
    client, owner, idle_timeout
):
    """A session from before the upgrade has no sign-in time: it is not ended at once."""
    with at(0):
        client.force_login(owner)
        session = client.session
        del session["signed_in_at"]
        session.save()
    for hours in range(10, 14 * 24 + 10, 10):
        with at(hours):
            assert client.get(reverse("account_settings")).status_code == 200
    with at(14 * 24 + 10.2):
        assert client.get(reverse("account_settings")).status_code == 302


def test_signing_out_everywhere_else_keeps_only_this_session(client, owner, make_user):
    phone, laptop = client_for(owner), client_for(owner)
    bob_client = client_for(make_user("bob@example.com"))
    client.force_login(owner)
    page = client.get(reverse("account_settings")).content.decode()
    assert reverse("end_other_sessions") in page
    assert client.get(reverse("end_other_sessions")).status_code == 405
    assert client.post(reverse("end_other_sessions")).status_code == 302
    assert client.get(reverse("account_settings")).status_code == 200
    for other in (phone, laptop):
        assert other.get(reverse("account_settings")).status_code == 302
    # Another account's sessions are not touched.
    assert bob_client.get(reverse("account_settings")).status_code == 200


def test_the_sign_out_messages_name_the_time_in_words():
    from rlsapp.middleware import _hours_in_words

    # An idle limit of one hour read "1 hours"; both messages word it alike.
    assert [_hours_in_words(h) for h in (1, 12, 24, 336)] == [
        "1 hour",
        "12 hours",
        "1 day",
        "14 days",
    ]
