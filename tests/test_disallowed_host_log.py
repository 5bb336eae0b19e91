"""A request naming a host the server does not answer to is one log line, not a traceback:
anyone can send them, and each wrote some fifteen lines at ERROR."""

import logging

from django.test import Client


def test_a_foreign_host_is_refused_with_one_line_in_the_log(db, caplog):
    with caplog.at_level(logging.INFO):
        response = Client().get("/accounts/login/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    records = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert len(records) == 1
    assert "attacker.example" in records[0].getMessage()
    assert records[0].exc_info is None and "Traceback" not in caplog.text
