import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from hypothesis import settings as hypothesis_settings

from rlsapp.tracking.models import Patient
from tests import write_path

PASSWORD = "correct-horse-battery-staple"

# Property tests check what is computed, never how fast: no example fails for taking
# longer than Hypothesis's default 200 ms, as one may on a loaded machine.
hypothesis_settings.register_profile("rlsapp", deadline=None)
hypothesis_settings.load_profile("rlsapp")


@pytest.fixture(autouse=True, scope="session")
def only_services_write_records():
    write_path.install()


@pytest.fixture(autouse=True)
def empty_cache():
    """Pages cache under per-user data versions; ids and versions repeat across tests."""
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_idle_timeout(settings, request):
    """Many tests travel days ahead with one signed-in client. The idle timeout is off for
    them; a test that asks for the `idle_timeout` fixture (tests/test_sessions.py) has it."""
    if "idle_timeout" not in request.fixturenames:
        settings.SESSION_IDLE_TIMEOUT_HOURS = 0
        settings.SESSION_LIFETIME_HOURS = 0


def force_login_with_two_factor(client, user):
    """Signed in as after the code step: a confirmed authenticator and a verified session
    (the admin needs both)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def make_user(db):
    def make(email):
        return get_user_model().objects.create_user(email, PASSWORD)

    return make


@pytest.fixture
def owner(make_user):
    """Alice tracks her own ferritin."""
    return make_user("alice@example.com")


@pytest.fixture
def outsider(make_user):
    """Charlie has an account but no business with Alice's data."""
    return make_user("charlie@example.com")


@pytest.fixture
def patient(owner):
    return Patient.objects.create(owner=owner, name="Alice", sex="F")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def client_for(user):
    """A browser of its own signed in as `user`, to use beside owner_client."""
    other = Client()
    other.force_login(user)
    return other


@pytest.fixture
def outsider_client(outsider):
    return client_for(outsider)


@pytest.fixture
def bob(make_user):
    """Bob, Alice's neurologist, has an account; a test shares what it needs with him."""
    return make_user("bob@example.com")


@pytest.fixture
def bob_client(bob):
    return client_for(bob)


@pytest.fixture
def mail_on(settings):
    """Mail reaches people (into django.core.mail.outbox)."""
    settings.MAIL_CONFIGURED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def today():
    return datetime.date.today()
