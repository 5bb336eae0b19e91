import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.conftest import PASSWORD


def attempt(client, password, email="alice@example.com", ip="203.0.113.7"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_after_five_wrong_passwords_sign_in_is_paused_with_a_clear_page(client, owner):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "wrong-password").status_code == 200

    locked = attempt(client, "wrong-password")

    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "reset your password" in locked.content.decode()


def test_while_paused_even_the_right_password_does_not_sign_in(client, owner):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong-password")

    response = attempt(client, PASSWORD)

    assert response.status_code == 429
    assert client.get(reverse("account_settings")).status_code == 302


def test_the_pause_is_per_address_so_nobody_can_lock_out_a_user_from_afar(client, owner):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong-password", ip="198.51.100.9")

    assert attempt(client, PASSWORD, ip="203.0.113.7").status_code == 302


def test_a_successful_sign_in_resets_the_count(client, owner):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "wrong-password")
    assert attempt(client, PASSWORD).status_code == 302
    client.post(reverse("logout"))
    assert not AccessAttempt.objects.exists()
    assert attempt(client, "wrong-password").status_code == 200


def test_the_attempt_record_keeps_no_password(client, owner):
    attempt(client, "wrong-password")
    record = AccessAttempt.objects.get()
    assert "wrong-password" not in f"{record.get_data} {record.post_data}"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1!", "too short"),
        ("1234567890123", "entirely numeric"),
        ("password1234", "too common"),
        ("alice@example.com1", "too similar"),
    ],
)
def test_weak_passwords_are_refused(owner, password, reason):
    with pytest.raises(ValidationError) as error:
        validate_password(password, user=owner)
    assert reason in " ".join(error.value.messages)


def test_a_long_uncommon_password_is_accepted(owner):
    validate_password(PASSWORD, user=owner)
