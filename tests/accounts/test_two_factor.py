import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD


def code_for(device, at=None):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        totp.time = at
    return f"{totp.token():0{device.digits}d}"


def signed_in(client):
    return client.get(reverse("account_settings")).status_code == 200


def sign_in(client, password=PASSWORD, **extra):
    return client.post(
        reverse("login"), {"username": "alice@example.com", "password": password}, **extra
    )


@pytest.fixture
def device(owner):
    totp = TOTPDevice.objects.create(user=owner, name="Authenticator app", confirmed=True)
    recovery = StaticDevice.objects.create(user=owner, name="Recovery codes", confirmed=True)
    StaticToken.objects.create(device=recovery, token="abcd2345")
    return totp


def test_without_two_factor_the_password_signs_in(client, owner):
    response = sign_in(client)
    assert response.status_code == 302
    assert signed_in(client)


def test_with_two_factor_the_password_alone_does_not_sign_in(client, device):
    response = sign_in(client)

    assert response["Location"] == reverse("login_verify")
    assert not signed_in(client)
    assert client.get(reverse("home")).status_code == 302


def test_the_right_code_signs_in_and_goes_on_to_next(client, device, patient):
    target = patient.get_absolute_url()
    client.post(
        reverse("login") + f"?next={target}",
        {"username": "alice@example.com", "password": PASSWORD, "next": target},
    )

    response = client.post(reverse("login_verify"), {"token": code_for(device)})

    assert response.status_code == 302 and response["Location"] == target
    assert signed_in(client)


def test_a_wrong_code_does_not_sign_in(client, device):
    sign_in(client)
    wrong = f"{(int(code_for(device)) + 1) % 1000000:06d}"

    response = client.post(reverse("login_verify"), {"token": wrong})

    assert response.status_code == 200
    assert "not accepted" in response.content.decode()
    assert not signed_in(client)


def test_a_recovery_code_works_once(client, device):
    sign_in(client)
    assert client.post(reverse("login_verify"), {"token": "ABCD 2345"}).status_code == 302
    assert signed_in(client)
    client.post(reverse("logout"))

    sign_in(client)
    client.post(reverse("login_verify"), {"token": "abcd2345"})
    assert not signed_in(client)


def test_the_code_step_expires(client, device):
    with time_machine.travel("2026-01-01 12:00", tick=False):
        sign_in(client)
    with time_machine.travel("2026-01-01 12:06", tick=False):
        response = client.post(reverse("login_verify"), {"token": code_for(device)})
    assert response["Location"] == reverse("login")
    assert not signed_in(client)


def test_the_code_step_without_a_password_step_goes_back_to_sign_in(client, device):
    response = client.post(reverse("login_verify"), {"token": code_for(device)})
    assert response["Location"] == reverse("login")
    assert not signed_in(client)


def test_a_next_url_elsewhere_is_not_followed(client, device):
    client.post(
        reverse("login"),
        {"username": "alice@example.com", "password": PASSWORD, "next": "https://evil.example/"},
    )
    response = client.post(reverse("login_verify"), {"token": code_for(device)})
    assert "evil" not in response["Location"]


def test_turning_it_on_shows_a_qr_code_then_recovery_codes(owner_client, owner):
    owner_client.post(reverse("twofactor_setup"), {"password": PASSWORD})
    page = owner_client.get(reverse("twofactor_setup"))
    assert "<svg" in page.content.decode()
    # Recovery codes are made after this step: the field does not ask for one yet.
    assert "recovery code" not in page.content.decode()
    device = TOTPDevice.objects.get(user=owner, confirmed=False)

    wrong = owner_client.post(reverse("twofactor_setup"), {"token": "000000"})
    if code_for(device) != "000000":
        assert "did not match" in wrong.content.decode()
        assert not TOTPDevice.objects.filter(confirmed=True).exists()

    # A wrong code delays the next try (django-otp throttling): come back a minute later.
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1), tick=False):
        done = owner_client.post(reverse("twofactor_setup"), {"token": code_for(device)})

    assert done.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert len(codes) == 10
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=owner).values_list("token", flat=True)
    )
    assert "On" in owner_client.get(reverse("account_settings")).content.decode()


def test_the_settings_page_offers_to_turn_it_on(owner_client):
    page = owner_client.get(reverse("account_settings")).content.decode()
    assert reverse("twofactor_setup") in page


def test_turning_it_off_needs_the_password(owner_client, owner, device):
    wrong = owner_client.post(reverse("twofactor_disable"), {"password": "not-my-password"})
    assert "not your password" in wrong.content.decode()
    assert TOTPDevice.objects.filter(user=owner).exists()

    owner_client.post(reverse("twofactor_disable"), {"password": PASSWORD})

    assert not TOTPDevice.objects.filter(user=owner).exists()
    assert not StaticDevice.objects.filter(user=owner).exists()


def test_wrong_codes_are_throttled(client, device):
    sign_in(client)
    client.post(reverse("login_verify"), {"token": "99999x"})
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # Even the right code is refused while the delay after a wrong one runs.
    client.post(reverse("login_verify"), {"token": code_for(device)})
    assert not signed_in(client)


def test_the_admin_sign_in_cannot_skip_the_code(client, owner, device):
    owner.is_staff = owner.is_superuser = True
    owner.save()

    response = client.post(
        reverse("admin:login") + "?next=/admin/",
        {"username": "alice@example.com", "password": PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/admin/"
    assert client.get("/admin/").status_code == 302
    sign_in(client)
    client.post(reverse("login_verify"), {"token": code_for(device)})
    assert client.get("/admin/").status_code == 200


def test_turning_it_on_asks_for_the_password_before_showing_the_secret(owner_client, owner):
    """A session thief must not turn it on (locking the owner out) nor read the secret."""
    page = owner_client.get(reverse("twofactor_setup")).content.decode()
    assert "<svg" not in page
    assert 'name="password"' in page
    assert not TOTPDevice.objects.filter(user=owner).exists()

    wrong = owner_client.post(reverse("twofactor_setup"), {"password": "not-my-password"})
    assert "not your password" in wrong.content.decode()
    assert "<svg" not in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=owner).exists()

    # A code without the password step does not turn it on either.
    owner_client.post(reverse("twofactor_setup"), {"token": "123456"})
    assert not TOTPDevice.objects.filter(user=owner, confirmed=True).exists()


def test_each_password_step_makes_a_new_secret(owner_client, owner):
    """A secret someone saw earlier (an abandoned setup) is never the one that gets used."""
    with time_machine.travel("2026-01-01 12:00", tick=False):
        owner_client.post(reverse("twofactor_setup"), {"password": PASSWORD})
        owner_client.get(reverse("twofactor_setup"))
    first = TOTPDevice.objects.get(user=owner).key
    with time_machine.travel("2026-01-02 12:00", tick=False):
        owner_client.post(reverse("twofactor_setup"), {"password": PASSWORD})
        owner_client.get(reverse("twofactor_setup"))
    assert TOTPDevice.objects.get(user=owner).key != first


def test_the_password_step_lasts_ten_minutes(owner_client, owner):
    with time_machine.travel("2026-01-01 12:00", tick=False):
        owner_client.post(reverse("twofactor_setup"), {"password": PASSWORD})
        assert "<svg" in owner_client.get(reverse("twofactor_setup")).content.decode()
    with time_machine.travel("2026-01-01 12:11", tick=False):
        page = owner_client.get(reverse("twofactor_setup")).content.decode()
    assert "<svg" not in page and 'name="password"' in page


def test_turning_it_on_ends_every_other_session(owner_client, owner):
    """A session signed in with the password alone (another browser, or a thief's) stayed
    signed in after two-factor was turned on, and never met the code."""
    other = Client()
    sign_in(other)
    assert signed_in(other)
    before = owner_client.cookies["sessionid"].value
    owner_client.post(reverse("twofactor_setup"), {"password": PASSWORD})
    owner_client.get(reverse("twofactor_setup"))
    device = TOTPDevice.objects.get(user=owner, confirmed=False)
    done = owner_client.post(reverse("twofactor_setup"), {"token": code_for(device)})
    assert done.status_code == 200
    assert not signed_in(other)
    # This browser stays signed in, under a new session key.
    assert signed_in(owner_client)
    assert owner_client.cookies["sessionid"].value != before


def test_new_recovery_codes_need_the_password_and_end_the_old_ones(client, owner, device):
    """There was no way to get new codes short of turning two-factor off and on again, so
    codes used up, lost or seen by someone else stayed the only ones."""
    sign_in(client)
    client.post(reverse("login_verify"), {"token": code_for(device)})
    page = client.get(reverse("account_settings")).content.decode()
    assert "1 recovery code left" in page
    url = reverse("twofactor_recovery_codes")
    assert 'name="password"' in client.get(url).content.decode()
    wrong = client.post(url, {"password": "not-the-password"})
    assert "That is not your password." in wrong.content.decode()
    assert StaticToken.objects.filter(token="abcd2345").exists()
    done = client.post(url, {"password": PASSWORD})
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert len(codes) == 10 and "New recovery codes" in done.content.decode()
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=owner).values_list("token", flat=True)
    )
    client.post(reverse("logout"))
    sign_in(client)
    client.post(reverse("login_verify"), {"token": "abcd2345"})
    assert not signed_in(client), "the old code no longer works"
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1), tick=False):
        client.post(reverse("login_verify"), {"token": codes[0]})
        assert signed_in(client)


def test_without_two_factor_there_are_no_recovery_codes_to_renew(owner_client, owner):
    response = owner_client.post(reverse("twofactor_recovery_codes"), {"password": PASSWORD})
    assert response.status_code == 302
    assert not StaticToken.objects.exists()
