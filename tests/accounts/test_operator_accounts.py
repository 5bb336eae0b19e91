"""Without mail (issue 13 item 4): open sign-up closed, operator-made accounts confirmed,
links shown to copy instead of mailed, and accounts from before the change still usable."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD, force_login_with_two_factor

User = get_user_model()


def can_sign_in(email, password):
    response = Client().post(reverse("login"), {"username": email, "password": password})
    return response.status_code == 302


def test_createsuperuser_makes_a_confirmed_account(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--noinput", "--email", "op@example.com", stdout=io.StringIO())
    assert User.objects.get().email_confirmed
    assert can_sign_in("op@example.com", PASSWORD)


def test_an_account_added_in_the_admin_is_confirmed(db):
    admin = User.objects.create_superuser("op@example.com", PASSWORD)
    client = force_login_with_two_factor(Client(), admin)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@example.com",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(email="new@example.com").email_confirmed
    assert can_sign_in("new@example.com", PASSWORD)


def test_add_user_asks_for_the_password_and_the_account_is_confirmed(db, monkeypatch):
    typed = iter(["short", "short", PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    out, err = io.StringIO(), io.StringIO()
    call_command("add_user", "Dora@Example.com", "--first-name", "Dora", stdout=out, stderr=err)
    assert "too short" in err.getvalue()
    user = User.objects.get()
    assert user.email == "dora@example.com" and user.email_confirmed and user.first_name == "Dora"
    assert not user.is_staff
    assert can_sign_in("dora@example.com", PASSWORD)
    assert PASSWORD not in out.getvalue()


def test_add_user_link_lets_the_person_choose_a_password_once(db, settings):
    settings.SITE_URL = "https://rls.example.org"
    out = io.StringIO()
    call_command("add_user", "dora@example.com", "--link", stdout=out)
    assert mail.outbox == []
    path = re.search(r"https://rls\.example\.org(/\S+)", out.getvalue()).group(1)
    client = Client()
    form_url = client.get(path).url
    response = client.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302
    assert can_sign_in("dora@example.com", PASSWORD)
    assert b"set-password" not in Client().get(path, follow=True).content  # used up
    assert Client().get(path).status_code == 200  # Django's "invalid link" page, not a form


def test_add_user_refuses_an_address_in_use_or_no_address(make_user):
    make_user("alice@example.com")
    with pytest.raises(CommandError, match="has an account already"):
        call_command("add_user", "ALICE@example.com", "--link", stdout=io.StringIO())
    with pytest.raises(CommandError, match="not an email address"):
        call_command("add_user", "alice", "--link", stdout=io.StringIO())
    assert User.objects.count() == 1


def test_without_mail_a_password_reset_says_who_can_help_and_sends_nothing(
    client, make_user, settings
):
    settings.MAIL_CONFIGURED = False
    make_user("alice@example.com")
    page = client.get(reverse("password_reset"))
    assert b"sends no email" in page.content and b'name="email"' not in page.content
    client.post(reverse("password_reset"), {"email": "alice@example.com"})
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_the_migration_confirms_existing_accounts_and_keeps_their_data():
    executor = MigrationExecutor(connection)
    before = [("accounts", "0002_user_data_version")]
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(before)
        old_apps = executor.loader.project_state(before).apps
        OldUser = old_apps.get_model("accounts", "User")
        OldUser.objects.create(
            email="old@example.com", password="md5$x$y", first_name="Olga", email_reminders=False
        )
        executor = MigrationExecutor(connection)
        executor.migrate([("accounts", "0003_user_email_confirmed")])
        new_apps = executor.loader.project_state([("accounts", "0003_user_email_confirmed")]).apps
        user = new_apps.get_model("accounts", "User").objects.get()
        assert user.email_confirmed
        assert (user.email, user.password, user.first_name) == (
            "old@example.com",
            "md5$x$y",
            "Olga",
        )
        assert not user.email_reminders
    finally:
        MigrationExecutor(connection).migrate(latest)
