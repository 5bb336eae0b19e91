"""Production settings: `check --deploy` is clean and the hardening is on, with DEBUG off."""

import json

import pytest

from tests.processes import ROOT, production_env, run


@pytest.mark.parametrize("secret_key_file", [False, True])
def test_check_deploy_passes_with_production_settings(tmp_path, secret_key_file):
    env = production_env(tmp_path)
    if secret_key_file:
        key_file = tmp_path / "secret_key"
        key_file.write_text(env.pop("SECRET_KEY") + "\n")
        env["SECRET_KEY_FILE"] = str(key_file)

    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_with_a_weak_secret_key(tmp_path):
    """The test above would be meaningless if check --deploy passed anything."""
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_env(tmp_path, SECRET_KEY="short"),
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_production_turns_the_hardening_on(tmp_path):
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ["
        "'DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
        "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
        "'X_FRAME_OPTIONS', 'SECURE_REFERRER_POLICY', 'SECURE_CONTENT_TYPE_NOSNIFF']}))"
    )
    result = run(["-c", script], production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
    }


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


MAIL_SCRIPT = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.EMAIL_BACKEND, s.MAIL_CONFIGURED]))"
)


@pytest.mark.parametrize(
    "overrides, backend, configured",
    [
        # Production with no EMAIL_URL (compose passes it empty): nothing sent, nothing printed.
        ({}, "rlsapp.nomail.EmailBackend", False),
        ({"EMAIL_URL": ""}, "rlsapp.nomail.EmailBackend", False),
        # The operator may choose the console explicitly; then it is their choice.
        ({"EMAIL_URL": "consolemail://"}, "django.core.mail.backends.console.EmailBackend", True),
        (
            {"EMAIL_URL": "smtp+tls://u:p@smtp.example.org:587"},
            "django.core.mail.backends.smtp.EmailBackend",
            True,
        ),
        ({"EMAIL_URL": "dummymail://"}, "django.core.mail.backends.dummy.EmailBackend", False),
        # `make run`'s first try: DEBUG on, no EMAIL_URL, mail to the console.
        ({"DEBUG": "true"}, "django.core.mail.backends.console.EmailBackend", True),
    ],
)
def test_mail_goes_to_the_console_only_with_debug_or_when_chosen(
    tmp_path, overrides, backend, configured
):
    result = run(["-c", MAIL_SCRIPT], production_env(tmp_path, **overrides))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [backend, configured]


@pytest.mark.parametrize(
    "overrides, signup_open",
    [
        ({"SIGNUP_OPEN": "true"}, False),  # no mail: no way to confirm an address
        ({"SIGNUP_OPEN": "true", "EMAIL_URL": "smtp+tls://u:p@smtp.example.org:587"}, True),
        ({"SIGNUP_OPEN": "false", "EMAIL_URL": "smtp+tls://u:p@smtp.example.org:587"}, False),
        ({}, False),
    ],
)
def test_open_sign_up_needs_mail(tmp_path, overrides, signup_open):
    script = (
        "import django; django.setup(); from django.conf import settings as s; print(s.SIGNUP_OPEN)"
    )
    result = run(["-c", script], production_env(tmp_path, **overrides))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(signup_open)


def test_a_server_without_mail_starts_and_its_operator_can_add_a_user(tmp_path):
    env = production_env(tmp_path)
    assert run(["manage.py", "migrate", "--noinput"], env).returncode == 0
    added = run(["manage.py", "add_user", "op@example.com", "--link"], env)
    assert added.returncode == 0, added.stderr
    assert "/accounts/password/reset/" in added.stdout
    assert run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env).returncode == 0


@pytest.mark.parametrize(
    "overrides, trusted",
    [
        ({}, "None"),  # nothing in front: a client's X-Forwarded-Proto must not make it "https"
        ({"AXES_PROXY_COUNT": "0"}, "None"),
        ({"AXES_PROXY_COUNT": "1"}, "('HTTP_X_FORWARDED_PROTO', 'https')"),
    ],
)
def test_x_forwarded_proto_is_trusted_only_behind_a_proxy(tmp_path, overrides, trusted):
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_PROXY_SSL_HEADER)"
    )
    result = run(["-c", script], production_env(tmp_path, **overrides))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == trusted


def test_compose_publishes_the_app_to_this_host_only_and_says_a_proxy_is_in_front():
    compose = (ROOT / "docker-compose.yml").read_text()
    web = compose.split("\n  web:\n", 1)[1].split("\n\n", 1)[0]
    assert '- "${WEB_BIND:-127.0.0.1}:8000:8000"' in web
    assert "AXES_PROXY_COUNT: ${AXES_PROXY_COUNT:-1}" in compose
