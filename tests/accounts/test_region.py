"""The account's region (issue 11): suggested at sign-up from the browser's languages,
shown and changeable in the settings, and the install's default for existing accounts."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from tests.conftest import PASSWORD

User = get_user_model()


def sign_up(client, email, **extra):
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    return client.post(reverse("signup"), data | extra, **{})


@pytest.mark.parametrize(
    ("accept_language", "selected"),
    [("de-DE,de;q=0.9,en;q=0.8", "DE"), ("en-US,en;q=0.9", "US"), ("nl-NL", "NL")],
)
def test_sign_up_suggests_the_region_of_the_browsers_language(
    client, db, accept_language, selected
):
    page = client.get(reverse("signup"), headers={"accept-language": accept_language})
    form = page.context["form"]
    assert form["region"].value() == selected
    html = page.content.decode()
    assert f'<option value="{selected}" selected>' in html
    assert "Germany (1.050,5; 31.12.2025)" in html


def test_sign_up_without_a_known_language_suggests_the_install_default(client, db, settings):
    settings.DEFAULT_REGION = "GB"
    page = client.get(reverse("signup"), headers={"accept-language": "en"})
    assert page.context["form"]["region"].value() == "GB"


def test_the_region_chosen_at_sign_up_is_saved_on_the_account(client, db):
    sign_up(client, "bea@example.com", region="NL")
    assert User.objects.get().region == "NL"


def test_a_sign_up_without_a_region_gets_the_suggestion(client, db):
    client.post(
        reverse("signup"),
        {"email": "bea@example.com", "password1": PASSWORD, "password2": PASSWORD},
        headers={"accept-language": "de-AT"},
    )
    assert User.objects.get().region == "AT"


def test_an_unknown_region_is_refused_naming_the_field(client, db):
    response = sign_up(client, "bea@example.com", region="XX")
    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert not User.objects.exists()


def test_the_settings_show_the_region_and_change_it(owner_client, owner):
    page = owner_client.get(reverse("account_settings"))
    assert page.context["form"]["region"].value() == "intl"
    assert "International (1050.5; 2025-12-31)" in page.content.decode()
    response = owner_client.post(
        reverse("account_settings"),
        {"first_name": "", "last_name": "", "region": "DE", "email_reminders": "on"},
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.region == "DE" and owner.region_rules.locale == "de_DE"


def test_settings_saved_without_the_region_keep_it(owner_client, owner):
    owner.region = "US"
    owner.save()
    owner_client.post(reverse("account_settings"), {"first_name": "A", "email_reminders": "on"})
    owner.refresh_from_db()
    assert (owner.first_name, owner.region) == ("A", "US")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("install_default", ["intl", "GB"])
def test_the_upgrade_gives_existing_accounts_the_install_default_and_keeps_data(
    settings, install_default
):
    settings.DEFAULT_REGION = install_default
    executor = MigrationExecutor(connection)
    before = [("accounts", "0003_user_email_confirmed")]
    after = [("accounts", "0004_user_region")]
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(before)
        OldUser = executor.loader.project_state(before).apps.get_model("accounts", "User")
        OldUser.objects.create(
            email="old@example.com", password="md5$x$y", first_name="Olga", email_confirmed=True
        )
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        user = executor.loader.project_state(after).apps.get_model("accounts", "User").objects.get()
        assert user.region == install_default
        assert (user.email, user.password, user.first_name, user.email_confirmed) == (
            "old@example.com",
            "md5$x$y",
            "Olga",
            True,
        )
    finally:
        MigrationExecutor(connection).migrate(latest)


@pytest.mark.parametrize(
    ("value", "ok"), [("DE", True), ("intl", True), ("de", False), ("XX", False)]
)
def test_the_install_default_must_be_a_known_region(tmp_path, value, ok):
    from tests.processes import production_env, run

    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEFAULT_REGION)"
    )
    result = run(["-c", script], production_env(tmp_path, DEFAULT_REGION=value))
    if ok:
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().splitlines()[-1] == value
    else:
        assert result.returncode != 0
        assert "DEFAULT_REGION must be one of intl, US, GB" in result.stderr
