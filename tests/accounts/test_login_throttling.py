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


# Behind a reverse proxy every request comes from the proxy's address; the client's own
# address is the last one the proxy appended to X-Forwarded-For.
PROXY = "10.0.0.2"


@pytest.fixture
def behind_one_proxy(settings):
    """What settings.py derives from AXES_PROXY_COUNT=1 (checked by the next test)."""
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]


def forwarded(client, password, forwarded_for, email="alice@example.com"):
    return client.post(
        reverse("login"),
        {"username": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_a_proxy_one_clients_wrong_passwords_do_not_lock_out_another(
    client, owner, behind_one_proxy
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        forwarded(client, "wrong-password", "198.51.100.9")
    assert forwarded(client, "wrong-password", "198.51.100.9").status_code == 429

    assert forwarded(client, PASSWORD, "203.0.113.7").status_code == 302
    assert AccessAttempt.objects.get().ip_address == "198.51.100.9"


def test_behind_a_proxy_an_address_the_client_made_up_is_not_believed(
    client, owner, behind_one_proxy
):
    """The proxy appends the real address; whatever the client sent stands before it."""
    for n in range(settings.AXES_FAILURE_LIMIT):
        forwarded(client, "wrong-password", f"192.0.2.{n}, 198.51.100.9")

    assert forwarded(client, PASSWORD, "192.0.2.77, 198.51.100.9").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.9"}


def test_the_proxy_count_setting_reaches_axes(tmp_path):
    from tests.processes import production_env, run

    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.AXES_IPWARE_PROXY_COUNT, s.AXES_IPWARE_META_PRECEDENCE_ORDER[0], s.IPWARE_STRICT)"
    )
    result = run(["-c", script], production_env(tmp_path, AXES_PROXY_COUNT="1"))
    assert result.stdout.split() == ["0", "HTTP_X_FORWARDED_FOR", "False"], result.stderr
    result = run(["-c", script], production_env(tmp_path))
    assert result.stdout.split() == ["None", "REMOTE_ADDR", "False"], result.stderr


def test_one_address_gets_twenty_failures_an_hour_across_all_emails(client, make_user):
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    assert limit == 20
    for n in range(limit - 1):
        make_user(f"user{n}@example.com")
        # One try per email: never near the per-email limit.
        assert attempt(client, "wrong-password", email=f"user{n}@example.com").status_code == 200
    make_user("last@example.com")
    # The twentieth failure is answered with the pause, as the fifth for one email is.
    assert attempt(client, "wrong-password", email="someone@example.com").status_code == 429

    # Now even a right password from that address waits out the cool-off.
    assert attempt(client, PASSWORD, email="last@example.com").status_code == 429
    assert attempt(client, PASSWORD, email="last@example.com", ip="203.0.113.8").status_code == 302


def test_the_address_limit_cools_off_after_an_hour(client, make_user):
    import time_machine
    from django.utils import timezone

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(settings.AXES_ADDRESS_FAILURE_LIMIT):
            attempt(client, "wrong-password", email=f"user{n}@example.com")
    make_user("last@example.com")
    with time_machine.travel(start + timezone.timedelta(minutes=59), tick=False):
        assert attempt(client, PASSWORD, email="last@example.com").status_code == 429
    with time_machine.travel(start + timezone.timedelta(minutes=121), tick=False):
        assert attempt(client, PASSWORD, email="last@example.com").status_code == 302


def test_signing_in_to_ones_own_account_does_not_reset_the_address_count(client, make_user):
    """Else a sprayer with one account of their own could sign in to it every 19 tries."""
    make_user("sprayer@example.com")
    for n in range(settings.AXES_ADDRESS_FAILURE_LIMIT - 1):
        attempt(client, "wrong-password", email=f"user{n}@example.com")
    assert attempt(client, PASSWORD, email="sprayer@example.com").status_code == 302
    client.post(reverse("logout"))

    attempt(client, "wrong-password", email="another@example.com")
    assert attempt(client, PASSWORD, email="sprayer@example.com").status_code == 429
