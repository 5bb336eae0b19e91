"""Sign-ups and password resets from one client address are bounded: each mails the
address it names, so a client naming new addresses made the server mail whoever it was told
to, without end, and keep an unconfirmed account for every sign-up."""

from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

FROM = {"REMOTE_ADDR": "198.51.100.9"}


def sign_up(client, email, **extra):
    form = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    return client.post(reverse("signup"), form, **extra)


def reset(client, email, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def test_one_client_address_gets_the_limit_of_sign_ups_and_resets_together(
    client, mail_on, settings, make_user
):
    settings.MAIL_FORMS_PER_CLIENT_HOUR = 4
    make_user("kept@example.com")
    answers = [
        sign_up(client, "one@example.com", **FROM).status_code,
        reset(client, "kept@example.com", **FROM).status_code,
        reset(client, "nobody@example.com", **FROM).status_code,  # counts as well
        sign_up(client, "two@example.com", **FROM).status_code,
    ]
    assert answers == [302] * 4
    mailed = len(mail.outbox)
    users = get_user_model().objects.count()

    paused = sign_up(Client(), "three@example.com", **FROM)
    assert paused.status_code == 429
    assert "Nothing was sent" in paused.content.decode()
    assert reset(Client(), "kept@example.com", **FROM).status_code == 429
    assert len(mail.outbox) == mailed  # nothing more sent
    assert get_user_model().objects.count() == users  # no account made

    # Another network is not held up by this one.
    elsewhere = {"REMOTE_ADDR": "203.0.113.77"}
    assert sign_up(Client(), "three@example.com", **elsewhere).status_code == 302


def test_the_limit_answers_the_same_whether_or_not_the_address_has_an_account(
    client, mail_on, settings, make_user
):
    settings.MAIL_FORMS_PER_CLIENT_HOUR = 1
    make_user("kept@example.com")
    reset(client, "nobody@example.com", **FROM)
    with_account = reset(Client(), "kept@example.com", **FROM)
    without = reset(Client(), "nobody-else@example.com", **FROM)
    assert with_account.status_code == without.status_code == 429
    assert with_account.content == without.content
    assert mail.outbox == []


def test_a_refused_form_is_not_counted(client, db, mail_on, settings):
    settings.MAIL_FORMS_PER_CLIENT_HOUR = 1
    for _ in range(3):  # a typo in the repeated password, three times
        client.post(
            reverse("signup"),
            {"email": "bea@example.com", "password1": "a-long-pass-1", "password2": "x"},
            **FROM,
        )
    assert sign_up(client, "bea@example.com", **FROM).status_code == 302
