"""Password-reset emails: at most one per address per PASSWORD_RESET_MAIL_INTERVAL, so the
form cannot be used to flood someone's mailbox."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse

START = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)


def reset(client, email):
    return client.post(reverse("password_reset"), {"email": email})


@pytest.fixture
def bob(make_user):
    return make_user("bob@example.com")


def test_one_reset_email_per_address_per_interval(client, owner, bob):
    with time_machine.travel(START, tick=False):
        first = reset(client, "alice@example.com")
        again = reset(client, "Alice@Example.com ")
        reset(client, "bob@example.com")
    # The same answer either way: the page does not tell whether an email went out.
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == reverse("password_reset_done")
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "bob@example.com"]


def test_after_the_interval_another_reset_email_goes_out(client, owner):
    interval = settings.PASSWORD_RESET_MAIL_INTERVAL
    assert interval == 15 * 60
    with time_machine.travel(START, tick=False):
        reset(client, "alice@example.com")
    with time_machine.travel(START + datetime.timedelta(seconds=interval - 10), tick=False):
        reset(client, "alice@example.com")
    assert len(mail.outbox) == 1
    with time_machine.travel(START + datetime.timedelta(seconds=interval + 1), tick=False):
        reset(client, "alice@example.com")
    assert len(mail.outbox) == 2
