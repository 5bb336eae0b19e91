import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD


def test_a_visitor_can_sign_up_and_is_signed_in_once_the_address_is_confirmed(client, db):
    response = client.post(
        reverse("signup"),
        {"email": "Bea@Example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = get_user_model().objects.get()
    assert user.email == "bea@example.com"
    assert client.get(reverse("patient_create")).status_code == 302  # not yet
    link = re.search(r"http://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    client.post(client.get(link).url)
    assert client.get(reverse("patient_create")).status_code == 200


def test_sign_up_refuses_a_weak_password(client, db):
    response = client.post(
        reverse("signup"), {"email": "bea@example.com", "password1": "123", "password2": "123"}
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert not get_user_model().objects.exists()


def test_sign_up_can_be_closed(client, db, settings):
    settings.SIGNUP_OPEN = False
    assert client.get(reverse("signup")).status_code == 404
    response = client.post(
        reverse("signup"), {"email": "x@example.com", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 404
    assert "Sign up" not in client.get(reverse("login")).content.decode()


def test_sign_in_and_out(client, owner):
    response = client.post(reverse("login"), {"username": owner.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("account_settings")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("account_settings")).status_code == 302


def test_password_reset_by_email(client, owner):
    client.post(reverse("password_reset"), {"email": owner.email})
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+", mail.outbox[0].body).group(0)
    form_url = client.get(link).url  # Django swaps the token for a session marker
    response = client.post(
        form_url,
        {"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"},
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("a-brand-new-passphrase")


@pytest.mark.parametrize("email", ["nobody@example.com"])
def test_password_reset_does_not_reveal_whether_an_account_exists(client, db, email):
    response = client.post(reverse("password_reset"), {"email": email})
    assert response.status_code == 302
    assert not mail.outbox


def test_the_reminders_page_turns_reminder_emails_off(owner_client, owner):
    owner_client.post(reverse("reminders"), {"days_ahead": "14"})
    owner.refresh_from_db()
    assert not owner.email_reminders


def test_account_settings_leave_reminder_emails_to_the_reminders_page(owner_client, owner):
    owner_client.post(reverse("account_settings"), {"first_name": "Alice", "last_name": ""})
    owner.refresh_from_db()
    assert owner.email_reminders
    page = owner_client.get(reverse("account_settings")).content.decode()
    assert reverse("reminders") in page
