"""A mail server that accepts the connection and never answers cannot hold a sender for good:
Django waits for ever unless EMAIL_TIMEOUT is set, and the reminder loop has no other bound."""

import socket
import time

import pytest
from django.conf import settings
from django.core.mail import get_connection


def test_there_is_a_mail_timeout_by_default():
    assert settings.EMAIL_TIMEOUT and 0 < settings.EMAIL_TIMEOUT <= 60


def test_a_silent_mail_server_is_given_up_on(settings):
    settings.EMAIL_TIMEOUT = 1
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts, never sends the greeting
    host, port = silent.getsockname()
    connection = get_connection("django.core.mail.backends.smtp.EmailBackend", host=host, port=port)
    started = time.monotonic()
    with pytest.raises(OSError):  # socket timeout
        connection.open()
    assert time.monotonic() - started < 5
    silent.close()
