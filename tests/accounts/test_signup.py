"""Open sign-up (issue 13 item 4): the same answer whether or not an address has an
account, a confirmed address before the account is usable, and a throttle per address."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

User = get_user_model()
NEW_PASSWORD = "another-long-passphrase-2"


def sign_up(client, email, password=PASSWORD, **extra):
    return client.post(
        reverse("signup"), {"email": email, "password1": password, "password2": password, **extra}
    )


def link_in(message):
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def confirm_link(message):
    path = link_in(message)
    assert "/signup/confirm/" in path
    return path


def follow_confirmation(client, path):
    """Open the emailed link, then press Confirm; returns the POST's response."""
    opened = client.get(path)
    assert opened.status_code == 302 and opened.url.endswith("/confirm/")
    assert client.get(opened.url).status_code == 200
    return client.post(opened.url)


def can_sign_in(email, password):
    response = Client().post(reverse("login"), {"username": email, "password": password})
    return response.status_code == 302


def test_a_new_address_gets_a_link_and_the_account_is_unusable_until_it_is_followed(client, db):
    response = sign_up(client, "Bea@Example.com")
    assert response.status_code == 302 and response.url == reverse("signup_sent")
    user = User.objects.get()
    assert user.email == "bea@example.com" and not user.email_confirmed
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bea@example.com"]
    assert not can_sign_in("bea@example.com", PASSWORD)
    # Not even a session made some other way counts.
    other = Client()
    other.force_login(user)
    assert other.get(reverse("account_settings")).status_code == 302

    response = follow_confirmation(client, confirm_link(mail.outbox[0]))
    assert response.status_code == 302 and response.url == reverse("home")
    user.refresh_from_db()
    assert user.email_confirmed
    assert client.get(reverse("account_settings")).status_code == 200  # signed in
    assert can_sign_in("bea@example.com", PASSWORD)


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(make_user, db):
    make_user("taken@example.com")
    answers = []
    for email in ("taken@example.com", "free@example.com"):
        client = Client()
        response = sign_up(client, email, password=NEW_PASSWORD)
        page = client.get(response.url)
        answers.append((response.status_code, response.url, page.status_code, page.content))
    assert answers[0] == answers[1]
    assert b"Check your email" in answers[0][3]
    # The owner is told instead, and their account is as it was.
    told, confirm = mail.outbox
    assert told.to == ["taken@example.com"] and "already has an account" in told.body
    assert "/signup/confirm/" not in told.body
    assert confirm.to == ["free@example.com"] and "/signup/confirm/" in confirm.body
    assert can_sign_in("taken@example.com", PASSWORD)
    assert not can_sign_in("taken@example.com", NEW_PASSWORD)


def test_a_link_works_once(client, db):
    sign_up(client, "bea@example.com")
    path = confirm_link(mail.outbox[0])
    follow_confirmation(client, path)
    client.post(reverse("logout"))
    again = client.get(path)
    assert again.status_code == 200 and b"This link is not valid" in again.content


def test_a_link_expires(client, db, settings):
    sign_up(client, "bea@example.com")
    path = confirm_link(mail.outbox[0])
    later = timezone.now() + datetime.timedelta(seconds=settings.EMAIL_CONFIRM_TIMEOUT + 60)
    with time_machine.travel(later):
        response = client.get(path)
    assert b"This link is not valid" in response.content
    assert not User.objects.get().email_confirmed


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/signup/confirm/MQ/xyz-123/",
        "/accounts/signup/confirm/!!/abc/",
        "/accounts/signup/confirm/OTk5OTk5OTk5OTk5OTk5OTk5OTk5/1-2/",
        "/accounts/signup/confirm/MQ/confirm/",
    ],
)
def test_a_forged_or_broken_link_is_refused_plainly(client, make_user, path):
    make_user("alice@example.com")
    response = client.get(path)
    assert response.status_code == 200 and b"This link is not valid" in response.content
    assert client.post(path).status_code == 200


def test_a_link_followed_in_another_browser_confirms_and_asks_for_a_new_password(client, db):
    # Whoever signed up may not own the address: once its owner confirms from their own
    # browser, the password the sign-up chose no longer opens the account.
    sign_up(client, "bea@example.com")
    elsewhere = Client()
    response = follow_confirmation(elsewhere, confirm_link(mail.outbox[0]))
    assert response.status_code == 302 and response.url == reverse("password_reset")
    assert elsewhere.get(reverse("account_settings")).status_code == 302  # not signed in
    assert User.objects.get().email_confirmed
    assert not can_sign_in("bea@example.com", PASSWORD)


def test_opening_the_link_confirms_nothing_until_the_button(client, db):
    """A mail scanner that fetches links must not confirm anyone's account."""
    sign_up(client, "bea@example.com")
    opened = Client().get(confirm_link(mail.outbox[0]), follow=True)
    assert b"Confirm your email address" in opened.content
    assert not User.objects.get().email_confirmed


def test_one_sign_up_email_per_address_per_interval(client, db, settings):
    sign_up(client, "bea@example.com")
    first_link = confirm_link(mail.outbox[0])
    sign_up(Client(), "bea@example.com", password=NEW_PASSWORD)
    assert len(mail.outbox) == 1
    assert not User.objects.get().check_password(NEW_PASSWORD)  # nothing changed

    later = timezone.now() + datetime.timedelta(seconds=settings.SIGNUP_MAIL_INTERVAL + 1)
    with time_machine.travel(later):
        newer = Client()
        sign_up(newer, "bea@example.com", password=NEW_PASSWORD)
        assert len(mail.outbox) == 2
        # The newer sign-up's password wins and the older link dies with the old one.
        assert b"This link is not valid" in Client().get(first_link).content
        follow_confirmation(newer, confirm_link(mail.outbox[1]))
    assert can_sign_in("bea@example.com", NEW_PASSWORD)
    assert User.objects.count() == 1


def test_the_owner_is_told_once_per_interval_too(make_user, db):
    make_user("taken@example.com")
    for _ in range(3):
        sign_up(Client(), "taken@example.com", password=NEW_PASSWORD)
    assert len(mail.outbox) == 1


def test_a_failed_email_leaves_the_address_free_to_try_again(client, db, settings):
    settings.EMAIL_BACKEND = "tests.accounts.test_signup.RefusingBackend"
    response = sign_up(client, "bea@example.com")
    assert response.url == reverse("signup_sent")
    assert User.objects.get().signup_mailed_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sign_up(client, "bea@example.com")
    assert len(mail.outbox) == 1


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp.example.org refused bea@example.com")


def test_sign_up_goes_on_to_next_after_confirming(client, db):
    sign_up(client, "bea@example.com", next="/patients/new/")
    assert follow_confirmation(client, confirm_link(mail.outbox[0])).url == "/patients/new/"


def test_sign_up_ignores_a_next_on_another_site(client, db):
    sign_up(client, "bea@example.com", next="https://evil.example.org/")
    assert follow_confirmation(client, confirm_link(mail.outbox[0])).url == reverse("home")


def test_a_password_reset_confirms_the_address(client, db):
    """The reset link proves the address as well as the confirmation link does; without
    this, someone who signed up and lost the confirmation email would be stuck."""
    sign_up(client, "bea@example.com")
    client.post(reverse("password_reset"), {"email": "bea@example.com"})
    reset = link_in(mail.outbox[1])
    form_url = client.get(reset).url
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert can_sign_in("bea@example.com", NEW_PASSWORD)


def test_the_sign_up_email_holds_the_link_and_how_long_it_works(client, db, settings):
    sign_up(client, "bea@example.com")
    body = mail.outbox[0].body
    assert f"within {settings.EMAIL_CONFIRM_TIMEOUT // 3600} hours" in body
    assert "ignore this email" in body
