"""No health values, names or email addresses in the logs, on the main flows (at DEBUG level)."""

import logging
import re

import pytest
from django.core import mail
from django.urls import reverse

from rlsapp.tracking.models import LabDraw, Patient

from .conftest import PASSWORD

EMAIL = "zebulon.q@example.com"
NAME = "Zebulon Quintavalle"
SECRETS = [EMAIL, "zebulon", NAME, "Quintavalle", "Quirkylab", "987", "13.7", "wrong-horse"]


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def zebulon(make_user):
    user = make_user(EMAIL)
    Patient.objects.create(owner=user, name=NAME)
    return user


# Timestamps (axes logs them with microseconds) may hold any run of digits, such as a
# value's "987": they are taken out before looking for values.
TIMESTAMPS = re.compile(
    r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?(\+\d\d:\d\d)?|datetime\.datetime\([^)]*\)"
)


def without_timestamps(text):
    return TIMESTAMPS.sub("<time>", text)


def assert_nothing_private(caplog):
    text = without_timestamps(
        "\n".join(
            f"{r.name} {r.getMessage()} {r.args!r} {getattr(r, 'request', '')}"
            for r in caplog.records
        )
    )
    assert caplog.records, "the flow logged nothing: the test would prove nothing"
    for secret in SECRETS:
        assert secret.lower() not in text.lower(), f"{secret!r} was logged"


def test_signing_in_and_adding_a_draw_logs_nothing_private(client, zebulon, logs):
    client.post(reverse("login"), {"username": EMAIL, "password": PASSWORD})
    patient = Patient.objects.get()
    response = client.post(
        reverse("draw_create", args=[patient.pk]),
        {
            "drawn_on": "2024-03-01",
            "lab_name": "Quirkylab",
            "note": NAME,
            "ferritin": "987",
            "ferritin_unit": "µg/L",
            "hemoglobin": "13.7",
            "hemoglobin_unit": "g/dL",
        },
    )
    assert response.status_code == 302
    client.get(patient.get_absolute_url())
    client.get(reverse("patient_history", args=[patient.pk]))
    assert LabDraw.objects.count() == 1
    assert_nothing_private(logs)


def test_failed_sign_ins_and_the_lockout_log_nothing_private(client, zebulon, logs):
    for _ in range(6):
        client.post(reverse("login"), {"username": EMAIL, "password": "wrong-horse-battery"})
    assert any("AXES" in r.getMessage() for r in logs.records)
    assert_nothing_private(logs)


def test_a_password_reset_logs_nothing_private(client, zebulon, logs):
    client.post(reverse("password_reset"), {"email": EMAIL})
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    page = client.get(link.group(1), follow=True)
    new = "another-long-passphrase-1"
    client.post(page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert (
        client.login(email=EMAIL, password=new)
        or client.post(reverse("login"), {"username": EMAIL, "password": new}).status_code == 302
    )
    assert_nothing_private(logs)


def test_a_bad_form_and_a_404_log_nothing_private(client, zebulon, logs):
    client.post(reverse("login"), {"username": EMAIL, "password": PASSWORD})
    patient = Patient.objects.get()
    client.post(
        reverse("draw_create", args=[patient.pk]),
        {"drawn_on": "2999-01-01", "lab_name": "Quirkylab", "ferritin": "987987987"},
    )
    client.get(reverse("patient_detail", args=[patient.pk + 1000]))
    assert_nothing_private(logs)


def assert_no_secret_in_lines(caplog, secrets):
    """What a handler writes: each formatted line, tracebacks included, and the arguments."""
    assert caplog.records, "the flow logged nothing: the test would prove nothing"
    lines = without_timestamps(
        caplog.text + "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    )
    for secret in secrets:
        assert secret.lower() not in lines.lower(), f"{secret!r} was logged"


def test_a_sign_up_and_its_confirmation_log_no_address_password_or_link(client, db, logs):
    email, password = "yolanda.q@example.com", "a-long-unusual-passphrase"
    client.post(reverse("signup"), {"email": email, "password1": password, "password2": password})
    path = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    token = path.rstrip("/").rsplit("/", 1)[-1]
    client.post(client.get(path).url)
    client.get(path + "again/")  # a 404 that Django logs with its path
    assert_no_secret_in_lines(logs, [email, "yolanda", password, token])


def test_token_paths_are_redacted_from_django_warnings(client, zebulon, outsider, logs):
    """Django logs the path of a 404 and of a CSRF refusal: for the calendar feed, an
    import preview and a reset link those paths are credentials."""
    from django.test import Client

    from rlsapp.reminders.feeds import new_calendar_address
    from rlsapp.reminders.models import CalendarFeed

    _, token = new_calendar_address(zebulon)
    client.get(f"/calendar/{token}x.ics")  # a mistyped (or revoked) token: 404
    Client(enforce_csrf_checks=True).post(CalendarFeed.url_for(token), {})  # CSRF warning
    preview = "0b5c6f0e-3b1a-4c1e-9d7f-2a9e8b7c6d5e"
    client.force_login(outsider)
    client.get(reverse("interop_preview", args=[preview]))  # another's preview: 404
    client.get(f"/accounts/password/reset/MQ/{token}/nothing/")
    assert any("CSRF" in r.getMessage() for r in logs.records)
    assert any("Not Found" in r.getMessage() for r in logs.records)
    assert_no_secret_in_lines(logs, [token, preview])


def test_a_password_reset_logs_no_reset_link(client, zebulon, logs):
    client.post(reverse("password_reset"), {"email": EMAIL})
    path = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    token = path.group(1).rstrip("/").rsplit("/", 1)[-1]
    client.get(path.group(1) + "extra/")  # a 404 logged with its path
    client.get(path.group(1), follow=True)
    assert_no_secret_in_lines(logs, [token, EMAIL])
