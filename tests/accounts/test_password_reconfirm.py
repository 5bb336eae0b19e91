"""Re-entering the password (to change it, delete the account, turn two-factor on or off)
is throttled: a stolen session must not become an online password guesser."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD

WRONG = "not-my-password"


def password_change(client, old):
    return client.post(
        reverse("password_change"),
        {
            "old_password": old,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )


def account_delete(client, password):
    return client.post(reverse("account_delete"), {"password": password, "confirm": "on"})


def twofactor_on(client, password):
    return client.post(reverse("twofactor_setup"), {"password": password})


@pytest.fixture
def device(owner):
    return TOTPDevice.objects.create(user=owner, name="Authenticator app", confirmed=True)


def twofactor_off(client, password):
    return client.post(reverse("twofactor_disable"), {"password": password})


FORMS = {
    "password change": password_change,
    "account deletion": account_delete,
    "two-factor on": twofactor_on,
}


def signed_in(client):
    return client.get(reverse("account_settings")).status_code == 200


@pytest.mark.parametrize("form", FORMS)
def test_wrong_passwords_end_the_session_at_the_limit(owner_client, owner, form):
    submit = FORMS[form]
    for _ in range(settings.PASSWORD_RECONFIRM_LIMIT - 1):
        assert "not your password" in submit(owner_client, WRONG).content.decode()
        assert signed_in(owner_client)

    response = submit(owner_client, WRONG)

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not signed_in(owner_client)
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    assert get_user_model().objects.filter(pk=owner.pk).exists()


def test_two_factor_off_is_throttled_too(owner_client, owner, device):
    for _ in range(settings.PASSWORD_RECONFIRM_LIMIT):
        twofactor_off(owner_client, WRONG)
    assert not signed_in(owner_client)
    assert TOTPDevice.objects.filter(user=owner).exists()


def test_the_count_is_per_user_across_forms_and_sessions(client, owner, device):
    """Signing in again (with the password) does not give a fresh set of guesses."""
    client.force_login(owner)
    for n in range(settings.PASSWORD_RECONFIRM_LIMIT - 1):
        list(FORMS.values())[n % 2](client, WRONG)
    client.force_login(owner)

    response = twofactor_off(client, WRONG)

    assert response.status_code == 302
    assert not signed_in(client)


def test_after_the_limit_even_the_right_password_is_refused_for_an_hour(client, owner):
    import time_machine
    from django.utils import timezone

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(owner)
        for _ in range(settings.PASSWORD_RECONFIRM_LIMIT):
            password_change(client, WRONG)
        client.force_login(owner)
        assert password_change(client, PASSWORD).status_code == 302
        assert not signed_in(client)
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    with time_machine.travel(start + timezone.timedelta(minutes=61), tick=False):
        client.force_login(owner)
        assert password_change(client, PASSWORD)["Location"] == reverse("password_change_done")


def test_the_right_password_within_the_limit_works_and_clears_the_count(owner_client, owner):
    for _ in range(settings.PASSWORD_RECONFIRM_LIMIT - 1):
        password_change(owner_client, WRONG)
    assert password_change(owner_client, PASSWORD)["Location"] == reverse("password_change_done")
    for _ in range(settings.PASSWORD_RECONFIRM_LIMIT - 1):
        twofactor_on(owner_client, WRONG)
    assert signed_in(owner_client)
