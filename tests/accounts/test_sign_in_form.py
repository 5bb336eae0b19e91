"""The sign-in form checks the email's length on the server: a longer one reached
authenticate(), and axes' record of the failure (255 characters) made a 500 on PostgreSQL."""

from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD


def test_an_over_long_email_is_a_form_error_and_tries_no_password(owner):
    too_long = "a" * 300 + "@example.com"
    response = Client().post(reverse("login"), {"username": too_long, "password": "x" * 20})
    assert response.status_code == 200
    assert "at most 254 characters" in response.content.decode()
    # Nothing reached authenticate(): axes recorded no failure (the write that failed).
    assert not AccessAttempt.objects.exists() and not AccessFailureLog.objects.exists()


def test_a_normal_sign_in_still_works_and_wrong_ones_still_count(owner):
    wrong = Client().post(reverse("login"), {"username": owner.email, "password": "wrong-1234"})
    assert wrong.status_code == 200 and AccessAttempt.objects.count() == 1
    right = Client().post(reverse("login"), {"username": owner.email, "password": PASSWORD})
    assert right.status_code == 302
