"""What axes and the session table keep about a person: gone with the account, and kept
only AXES_LOG_RETENTION_DAYS otherwise (`manage.py purge_signin_logs`)."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD


def sign_in(client, password, email="alice@example.com", ip="203.0.113.7"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def traces_of(email):
    return {
        model.__name__: model.objects.filter(username__iexact=email).count()
        for model in (AccessAttempt, AccessLog, AccessFailureLog)
    }


@pytest.fixture
def failure_log(settings):
    settings.AXES_ENABLE_ACCESS_FAILURE_LOG = True


def test_deleting_the_account_removes_its_sign_in_logs_and_sessions(owner, outsider, failure_log):
    laptop, phone, other = Client(), Client(), Client()
    sign_in(phone, "wrong-password", email="ALICE@example.com")
    sign_in(phone, PASSWORD)
    sign_in(laptop, "wrong-password", ip="198.51.100.9")
    sign_in(laptop, PASSWORD, ip="198.51.100.9")
    sign_in(other, PASSWORD, email="charlie@example.com", ip="192.0.2.50")
    assert traces_of("alice@example.com") == {
        "AccessAttempt": 1,  # the "ALICE@" failure: the successful sign-ins cleared "alice@"
        "AccessLog": 2,
        "AccessFailureLog": 2,
    }
    sign_in(Client(), "wrong-password")  # a failure left standing
    assert Session.objects.count() == 3

    response = laptop.post(reverse("account_delete"), {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    assert not get_user_model().objects.filter(email="alice@example.com").exists()
    assert traces_of("alice@example.com") == {
        "AccessAttempt": 0,
        "AccessLog": 0,
        "AccessFailureLog": 0,
    }
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        assert not model.objects.filter(ip_address__in=["203.0.113.7", "198.51.100.9"]).exists()
    # The phone's session is gone too; Charlie's stays, and so do his logs.
    assert [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()] == [
        str(outsider.pk)
    ]
    assert traces_of("charlie@example.com")["AccessLog"] == 1
    assert phone.get(reverse("account_settings")).status_code == 302


def test_deleting_an_account_in_the_admin_removes_its_logs_too(owner):
    sign_in(Client(), PASSWORD)
    owner.delete()
    assert traces_of("alice@example.com")["AccessLog"] == 0
    assert not Session.objects.exists()


def test_purge_signin_logs_keeps_the_stated_number_of_days(owner, failure_log, settings):
    settings.AXES_LOG_RETENTION_DAYS = 30
    sign_in(Client(), "wrong-password")
    sign_in(Client(), PASSWORD)
    sign_in(Client(), "wrong-password", ip="198.51.100.9")
    now = timezone.now()
    old = now - datetime.timedelta(days=31)
    recent = now - datetime.timedelta(days=29)
    for model in (AccessLog, AccessFailureLog):
        first, *rest = model.objects.order_by("pk")
        model.objects.filter(pk=first.pk).update(attempt_time=old)
        model.objects.filter(pk__in=[r.pk for r in rest]).update(attempt_time=recent)
    # An attempt older than the cool-off no longer counts towards a lockout.
    AccessAttempt.objects.update(attempt_time=now - datetime.timedelta(hours=2))

    call_command("purge_signin_logs")

    assert AccessLog.objects.count() == 0
    assert list(AccessFailureLog.objects.values_list("attempt_time", flat=True)) == [recent]
    assert not AccessAttempt.objects.exists()


def test_purge_signin_logs_keeps_attempts_that_still_count(owner):
    sign_in(Client(), "wrong-password")
    call_command("purge_signin_logs")
    assert AccessAttempt.objects.count() == 1


def test_a_session_waiting_for_the_two_factor_code_goes_with_the_account(owner):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=owner, name="Authenticator app", confirmed=True)
    waiting = Client()
    assert sign_in(waiting, PASSWORD)["Location"] == reverse("login_verify")
    assert Session.objects.count() == 1
    owner.delete()
    assert not Session.objects.exists()
