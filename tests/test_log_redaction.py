"""Secrets in URLs never reach a log line (issue 13 item 5): rlsapp/logredact.py."""

import logging
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from rlsapp.logredact import REDACTED, RedactSecrets, redact
from tests.processes import ROOT, production_env, run

TOKEN = "Zq9-Xy_Secret7Token"


def token_url_patterns(resolver=None):
    """Every named URL with a part that is a secret, from the URL configuration itself."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from token_url_patterns(entry)
        elif isinstance(entry, URLPattern) and entry.name:
            names = set(entry.pattern.converters) | set(
                getattr(entry.pattern, "regex", None).groupindex or {}
            )
            if names & {"token", "uidb64"}:
                yield entry


def test_every_url_with_a_secret_is_redacted():
    found = list(token_url_patterns())
    names = {entry.name for entry in found}
    # The test would prove nothing if the walk missed these.
    assert {
        "calendar_feed",
        "password_reset_confirm",
        "signup_confirm",
        "interop_preview",
        "link_report",
        "link_chart_data",
    } <= names
    for entry in found:
        kwargs = {}
        for name, converter in entry.pattern.converters.items():
            kwargs[name] = (
                "0b5c6f0e-3b1a-4c1e-9d7f-2a9e8b7c6d5e"
                if type(converter).__name__ == "UUIDConverter"
                else TOKEN
            )
        path = reverse(entry.name, kwargs=kwargs)
        secret_parts = [value for value in kwargs.values()]
        for line in (
            f'GET {path} HTTP/1.1" 404',
            f"Not Found: {path}",
            f"https://rls.example.org{path}?x=1",
            f"/accounts/login/?next={path.replace('/', '%2F')}",
        ):
            clean = redact(line)
            assert REDACTED in clean, (entry.name, line)
            for secret in secret_parts:
                assert secret not in clean, (entry.name, clean)


def test_redaction_leaves_other_paths_alone():
    for line in (
        "/accounts/password/reset/sent/",
        "/accounts/password/reset/done/",
        "/accounts/signup/sent/",
        "/patients/12/draws/new/",
        '"GET /static/app.css HTTP/1.1" 200',
    ):
        assert redact(line) == line


def test_an_access_log_line_with_a_token_in_path_and_referer():
    line = (
        f'10.0.0.1 - - [29/Nov/2026:08:00:00 +0000] "GET /calendar/{TOKEN}.ics HTTP/1.1" 200 '
        f'512 "https://rls.example.org/imports/0b5c6f0e-3b1a-4c1e-9d7f-2a9e8b7c6d5e/" "cal/1"'
    )
    clean = redact(line)
    assert TOKEN not in clean and "0b5c6f0e" not in clean
    assert f"/calendar/{REDACTED}.ics" in clean and f"/imports/{REDACTED}/" in clean


def test_records_are_redacted_as_they_are_made_whatever_the_logger(caplog):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("some.library.nobody.configured").warning(
        "fetched %s", f"/calendar/{TOKEN}.ics"
    )
    try:
        raise ValueError(f"no route for /accounts/signup/confirm/MQ/{TOKEN}/")
    except ValueError:
        logging.getLogger("gunicorn.error").exception("Error handling request")
    assert caplog.records
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
    assert TOKEN not in caplog.text  # the formatted traceback too


def test_the_filter_redacts_records_made_elsewhere():
    record = logging.LogRecord("x", logging.INFO, "f", 1, "GET %s", (f"/imports/{TOKEN}/",), None)
    assert RedactSecrets().filter(record) is True
    assert TOKEN not in record.getMessage()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_and_django_logs_hold_no_feed_token(tmp_path):
    """Under gunicorn as deployed: a feed poll in the access log, a 404 and a CSRF
    refusal in Django's log, all written to the process's output."""
    env = production_env(tmp_path, ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="false")
    migrate = run(["manage.py", "migrate", "--noinput"], env)
    assert migrate.returncode == 0, migrate.stderr
    port = free_port()
    log = tmp_path / "out.log"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(gunicorn), "rlsapp.wsgi", "--config", "gunicorn.conf.py"]
            + ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", "-"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        # Until the worker answers at all (a 404 will do): on a loaded machine it may take
        # many seconds to start and to load the app for its first request.
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/calendar/not-a-feed.ics", timeout=30)
                break
            except urllib.error.HTTPError:
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        statuses = []
        for request in (
            urllib.request.Request(f"{base}/calendar/{TOKEN}.ics"),
            urllib.request.Request(f"{base}/calendar/{TOKEN}.ics", data=b"x=1", method="POST"),
            urllib.request.Request(
                f"{base}/static/missing.css",
                headers={"Referer": f"{base}/accounts/password/reset/MQ/{TOKEN}/"},
            ),
        ):
            try:
                statuses.append(urllib.request.urlopen(request, timeout=5).status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
        assert statuses == [404, 403, 404]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    text = log.read_text()
    assert "/calendar/" in text and "Forbidden (CSRF" in text  # the lines were written
    assert f"/calendar/{REDACTED}.ics" in text
    assert TOKEN not in text, text
