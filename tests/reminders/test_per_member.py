"""Reminders per member (issue 15 item 7): every member whose membership gets reminders is
emailed each re-check once, even when another member's email fails and the reminder is
retried; the calendar feed of an account lists the people whose reminders it gets."""

import collections
import datetime

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection

from rlsapp.reminders import calendar, feeds, sending, services
from rlsapp.reminders import recipients as who_gets
from rlsapp.reminders.models import Reminder, ReminderEmail
from rlsapp.tracking.memberships import EDITOR, VIEWER, Membership
from rlsapp.tracking.models import Patient
from rlsapp.tracking.services import people

from .helpers import add_ferritin, add_infusion, local, open_reminder, two_competing_senders

INFUSED = datetime.date(2025, 3, 3)
DUE = datetime.date(2025, 4, 28)

pytestmark = pytest.mark.django_db


class RefusesBobOnce(LocmemBackend):
    """A mail server that refuses Bob's address the first time it is asked."""

    refused = 0

    def send_messages(self, messages):
        if any("bob@example.com" in m.to for m in messages) and not RefusesBobOnce.refused:
            RefusesBobOnce.refused += 1
            raise ConnectionError("mail server away")
        return super().send_messages(messages)


@pytest.fixture
def reminder(patient):
    add_infusion(patient, INFUSED)
    add_ferritin(patient, INFUSED + datetime.timedelta(weeks=2), 450)
    return open_reminder(patient)


@pytest.fixture
def bob(make_user, patient):
    bob = make_user("bob@example.com")
    Membership.objects.create(person=patient, account=bob, role=EDITOR, gets_reminders=True)
    return bob


@pytest.fixture
def carol(make_user, patient):
    carol = make_user("carol@example.com")
    Membership.objects.create(person=patient, account=carol, role=VIEWER, gets_reminders=False)
    return carol


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_each_member_who_gets_reminders_is_emailed_once(mail_on, reminder, bob, carol):
    with time_machine.travel(local(DUE, 9), tick=False):
        outcome = sending.send_due()
        assert sending.send_due().sent == 0
    assert outcome.sent == 1
    assert recipients() == ["alice@example.com", "bob@example.com"]
    assert all("Alice" in m.subject or "Alice" in m.body for m in mail.outbox)
    reminder.refresh_from_db()
    assert reminder.status == Reminder.SENT


def test_the_owner_can_turn_their_own_off(mail_on, reminder, owner, bob):
    Membership.objects.filter(account=owner).update(gets_reminders=False)
    with time_machine.travel(local(DUE, 9), tick=False):
        sending.send_due()
    assert recipients() == ["bob@example.com"]


def test_a_member_whose_account_takes_no_reminder_emails_gets_none(mail_on, reminder, bob):
    bob.email_reminders = False
    bob.save()
    with time_machine.travel(local(DUE, 9), tick=False):
        sending.send_due()
    assert recipients() == ["alice@example.com"]


def test_nobody_to_email_leaves_it_due(mail_on, reminder, owner):
    Membership.objects.filter(account=owner).update(gets_reminders=False)
    with time_machine.travel(local(DUE, 9), tick=False):
        outcome = sending.send_due()
    assert outcome.not_emailed == 1 and not mail.outbox
    reminder.refresh_from_db()
    assert reminder.status == Reminder.DUE


def test_a_retry_after_one_members_failure_emails_only_those_still_waiting(
    mail_on, settings, reminder, bob
):
    settings.EMAIL_BACKEND = "tests.reminders.test_per_member.RefusesBobOnce"
    RefusesBobOnce.refused = 0
    with time_machine.travel(local(DUE, 9), tick=False):
        first = sending.send_due()
    assert first.failed == 1 and recipients() == ["alice@example.com"]
    assert ReminderEmail.objects.filter(account__email="alice@example.com").count() == 1
    with time_machine.travel(local(DUE, 12), tick=False):  # past the retry delay
        second = sending.send_due()
    assert second.sent == 1
    assert recipients() == ["alice@example.com", "bob@example.com"], "each exactly once"
    reminder.refresh_from_db()
    assert reminder.status == Reminder.SENT


def test_a_snoozed_reminder_is_a_new_one_for_everyone(mail_on, reminder, bob):
    with time_machine.travel(local(DUE, 9), tick=False):
        sending.send_due()
    ReminderEmail.objects.create(
        reminder=reminder, account=bob, remind_on=DUE, sent_at=local(DUE, 9)
    )
    later = DUE + datetime.timedelta(weeks=1)
    services.snooze(Reminder.objects.get(pk=reminder.pk), later)
    with time_machine.travel(local(later, 9), tick=False):
        sending.send_due()
    assert recipients().count("bob@example.com") == 2


def test_each_email_uses_the_members_region(mail_on, reminder, bob):
    bob.region = "DE"
    bob.save()
    add_ferritin(reminder.patient, INFUSED + datetime.timedelta(weeks=3), 1050)
    with time_machine.travel(local(DUE, 9), tick=False):
        sending.send_due()
    to_bob = next(m for m in mail.outbox if m.to == ["bob@example.com"])
    to_alice = next(m for m in mail.outbox if m.to == ["alice@example.com"])
    latest = [line for m in (to_bob, to_alice) for line in m.body.splitlines() if "Latest" in line]
    assert "1.050 µg/L" in latest[0] and "1050 µg/L" in latest[1], latest


def feed_of(client, user):
    _, token = feeds.new_calendar_address(user)
    return client.get(f"/calendar/{token}.ics").content.decode()


def test_the_feed_lists_the_people_whose_reminders_the_account_gets(client, reminder, bob, carol):
    uid = calendar.uid(reminder)
    assert uid in feed_of(client, bob)
    assert uid not in feed_of(client, carol)
    Membership.objects.filter(account=carol).update(gets_reminders=True)
    assert uid in feed_of(client, carol)


def test_the_feed_shows_names_as_the_member_chose(client, owner, reminder, bob):
    bob.calendar_names = True
    bob.save()
    assert "Ferritin re-check: Alice" in feed_of(client, bob)
    assert "Ferritin re-check: Alice" not in feed_of(client, owner)
    owner.calendar_names = True
    owner.save()
    bob.calendar_names = False
    bob.save()
    assert "Ferritin re-check: Alice" not in feed_of(client, bob)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL to run it)"
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_senders_email_each_member_each_reminder_exactly_once(
    owner, make_user, settings, monkeypatch
):
    settings.MAIL_CONFIGURED = True
    settings.EMAIL_BACKEND = "tests.reminders.test_send_reminders.SlowBackend"
    monkeypatch.setattr(sending, "BATCH", 5)
    bob = make_user("bob@example.com")
    count = 20
    for i in range(count):
        person = Patient.objects.create(owner=owner, name=f"P{i}")
        Membership.objects.create(person=person, account=bob, role=EDITOR)
        add_infusion(person, INFUSED)
    two_competing_senders(monkeypatch, local(DUE, 9))
    sent = collections.Counter((m.to[0], m.body.splitlines()[0]) for m in mail.outbox)
    assert len(sent) == 2 * count and set(sent.values()) == {1}


@pytest.mark.parametrize("change", ["removed", "turned off", "deactivated"])
def test_a_member_who_stops_getting_them_after_the_batchs_read_gets_nothing(
    mail_on, reminder, patient, bob, change
):
    now = local(DUE, 9)
    token, claimed = sending.claim_batch(sending.candidates(now), now)
    # What deliver_batch reads once for its batch, before the first email goes out.
    members = (
        who_gets.members_for({patient.pk}),
        who_gets.emailed_already(claimed),
    )
    if change == "removed":
        Membership.objects.filter(account=bob).delete()
    elif change == "turned off":
        Membership.objects.filter(account=bob).update(gets_reminders=False)
    else:
        type(bob).objects.filter(pk=bob.pk).update(is_active=False)
    finished, outcome = sending.Finished(token), sending.Outcome()
    sending.deliver(claimed[0], token, now, outcome, finished, None, None, members)
    finished.mark()
    assert recipients() == ["alice@example.com"]
    assert outcome.sent == 1


def test_a_person_deleted_after_the_claim_is_not_emailed_and_waits(mail_on, reminder, patient):
    now = local(DUE, 9)
    pks = sending.candidates(now)
    token, claimed = sending.claim_batch(pks, now)
    people.delete_person(patient)
    claimed[0].patient.deleted_at = now  # as read with the claim, had the delete come first
    outcome = sending.Outcome()
    sending.deliver_batch(token, claimed, now, outcome, connection=None)
    assert mail.outbox == []
    reminder.refresh_from_db()
    assert reminder.status == Reminder.UPCOMING and reminder.claim is None
    assert sending.candidates(now) == []
