"""Sign-ups never confirmed are deleted once their link has expired: anyone can type any
address into the sign-up form, and the address was kept for good with no sign its owner
ever saw it."""

import datetime
from pathlib import Path

import time_machine
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.accounts.test_signup import confirm_link, follow_confirmation, sign_up

User = get_user_model()
COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def test_an_unconfirmed_sign_up_goes_once_its_link_has_expired(client, db, mail_on, settings):
    sign_up(client, "typed-by-someone@example.com")
    link = confirm_link(mail.outbox[0])
    expiry = datetime.timedelta(seconds=settings.EMAIL_CONFIRM_TIMEOUT)

    with time_machine.travel(timezone.now() + expiry - datetime.timedelta(minutes=5)):
        call_command("purge_signups")
    assert User.objects.filter(email="typed-by-someone@example.com").exists()  # link works

    with time_machine.travel(timezone.now() + expiry + datetime.timedelta(minutes=5)):
        call_command("purge_signups")
    assert not User.objects.filter(email="typed-by-someone@example.com").exists()
    assert b"This link is not valid" in Client().get(link, follow=True).content
    # Nor does the session of the browser that signed up keep the address.
    sessions = [s.get_decoded() for s in Session.objects.all()]
    assert not [s for s in sessions if "typed-by-someone@example.com" in str(s)]


def test_a_sign_up_whose_mail_failed_goes_by_the_day_it_was_made(db, settings):
    user = User.objects.create_user("nomail@example.com", "x" * 12, email_confirmed=False)
    User.objects.filter(pk=user.pk).update(
        date_joined=timezone.now() - datetime.timedelta(seconds=settings.EMAIL_CONFIRM_TIMEOUT + 60)
    )
    call_command("purge_signups")
    assert not User.objects.filter(pk=user.pk).exists()


def test_confirmed_and_operator_accounts_stay(client, mail_on, settings, make_user):
    old = timezone.now() - datetime.timedelta(days=400)
    operator_made = make_user("kept@example.com")  # confirmed from the start
    with time_machine.travel(old):
        sign_up(client, "confirmed@example.com")
        follow_confirmation(client, confirm_link(mail.outbox[-1]))
    User.objects.update(signup_mailed_at=old, date_joined=old)
    call_command("purge_signups")
    assert set(User.objects.values_list("email", flat=True)) == {
        operator_made.email,
        "confirmed@example.com",
    }


def test_compose_runs_the_purge_daily():
    housekeeping = COMPOSE.read_text().split("\n  housekeeping:\n", 1)[1]
    assert "python manage.py purge_signups;" in housekeeping.split("sleep 86400", 1)[0]


def test_an_unconfirmed_account_with_records_stays(db, settings):
    """Deleting the account would delete the people it owns with it."""
    from rlsapp.tracking.models import Patient

    user = User.objects.create_user("holds@example.com", "x" * 12, email_confirmed=False)
    Patient.objects.create(owner=user, name="Kept")
    User.objects.filter(pk=user.pk).update(
        date_joined=timezone.now() - datetime.timedelta(seconds=settings.EMAIL_CONFIRM_TIMEOUT + 60)
    )
    call_command("purge_signups")
    assert User.objects.filter(pk=user.pk).exists()
    assert Patient.objects.filter(name="Kept").exists()
