"""`manage.py send_reminders`: each due reminder emailed once, failures retried later."""

import datetime
import io
import os
import signal
import smtplib
import threading

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rlsapp.reminders import sending, services
from rlsapp.reminders.models import Reminder
from rlsapp.tracking import services as records
from rlsapp.tracking.models import Patient

from .helpers import add_ferritin, add_infusion, local, open_reminder, two_competing_senders

INFUSED = datetime.date(2025, 3, 3)
DUE = datetime.date(2025, 4, 28)


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses, naming the address in its error as real ones do."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"alice@example.com": (550, b"no such user")})


class SlowBackend(LocmemBackend):
    """locmem, slow enough that two concurrent senders overlap."""

    lock = threading.Lock()

    def send_messages(self, messages):
        threading.Event().wait(0.01)
        with self.lock:
            return super().send_messages(messages)


def send(**options):
    out = io.StringIO()
    call_command("send_reminders", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def reminder(patient):
    add_infusion(patient, INFUSED)
    add_ferritin(patient, INFUSED + datetime.timedelta(weeks=2), 450)  # spike: first still open
    return open_reminder(patient)


def test_it_emails_a_due_reminder_once_with_date_reason_latest_ferritin_and_link(
    reminder, patient, settings
):
    settings.SITE_URL = "https://rls.example.org"
    with time_machine.travel(local(DUE, 9), tick=False):
        send()
        send()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert message.subject == "rlsapp: ferritin re-check due 28 April 2025"
    assert "Monday 28 April 2025" in message.body
    assert "8 weeks after the infusion on 3 March." in message.body
    assert "Latest ferritin: 450 µg/L on 17 March 2025 (City Lab)" in message.body
    assert f"https://rls.example.org/patients/{patient.pk}/" in message.body
    reminder.refresh_from_db()
    assert reminder.status == "sent" and reminder.sent_at == local(DUE, 9)
    assert reminder.send_after is None and reminder.claim is None


@pytest.mark.parametrize("moment", [local(DUE, 7, 59), local(DUE - datetime.timedelta(days=1), 23)])
def test_it_waits_until_the_morning_of_the_day(reminder, moment):
    with time_machine.travel(moment, tick=False):
        send()
    assert mail.outbox == []


def test_it_marks_the_reminder_due_without_email_for_those_who_opted_out(reminder, owner):
    owner.email_reminders = False
    owner.save()
    with time_machine.travel(local(DUE, 9), tick=False):
        output = send()
        send()
    assert mail.outbox == []
    reminder.refresh_from_db()
    assert reminder.status == "due" and reminder.send_after is None
    assert "not emailed (opted out) 1" in output


def test_an_email_failure_leaves_it_unsent_logs_no_health_data_and_retries(
    reminder, settings, caplog
):
    settings.EMAIL_BACKEND = "tests.reminders.test_send_reminders.FailingBackend"
    with time_machine.travel(local(DUE, 9), tick=False):
        send()
        send()  # pushed ahead: not tried again at once
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.last_error) == (
        "upcoming",
        1,
        "SMTPRecipientsRefused",
    )
    assert reminder.send_after == local(DUE, 9, 10)
    assert reminder.claim is None
    logged = caplog.text
    assert f"reminder {reminder.pk}: email failed (SMTPRecipientsRefused)" in logged
    for private in ("alice@example.com", "Alice", "450", "infusion", "3 March"):
        assert private not in logged

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(local(DUE, 9, 11), tick=False):
        send()
    assert len(mail.outbox) == 1
    reminder.refresh_from_db()
    assert reminder.status == "sent"


def test_retries_back_off_up_to_six_hours():
    assert [sending.retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 10)] == [10, 20, 40, 360]


def test_dry_run_prints_and_changes_nothing(reminder, owner):
    with time_machine.travel(local(DUE, 9), tick=False):
        output = send(dry_run=True)
    assert f"reminder {reminder.pk}: would email user {owner.pk}" in output
    assert "alice@example.com" not in output
    assert mail.outbox == []
    reminder.refresh_from_db()
    assert reminder.status == "upcoming" and reminder.claim is None


def claims(pk, now):
    """Whether this sender wins the reminder, through the one claim path send_due uses."""
    token, claimed = sending.claim_batch([pk], now)
    return token if claimed else None


def test_a_claimed_reminder_cannot_be_claimed_again_until_the_claim_is_stale(reminder):
    now = local(DUE, 9)
    assert claims(reminder.pk, now) is not None
    assert claims(reminder.pk, now) is None
    assert claims(reminder.pk, now + datetime.timedelta(minutes=14)) is None
    # The first sender died: after CLAIM_TIMEOUT another takes over.
    assert claims(reminder.pk, now + datetime.timedelta(minutes=16)) is not None


def test_a_reminder_moved_while_it_was_being_sent_is_not_marked_sent(reminder, patient):
    now = local(DUE, 9)
    token, claimed = sending.claim_batch([reminder.pk], now)
    services.snooze(Reminder.objects.get(pk=reminder.pk), datetime.date(2025, 5, 5))
    outcome = sending.Outcome()
    with time_machine.travel(now, tick=False):
        sending.deliver_batch(token, claimed, now, outcome, connection=None)
    reminder.refresh_from_db()
    assert reminder.status == "snoozed"  # the snooze wins; it is emailed again on 5 May


@pytest.mark.parametrize("change", ["a new result closes it", "a member snoozes it"])
def test_a_recheck_changed_after_it_was_claimed_is_not_emailed(reminder, patient, mail_on, change):
    # Claimed, then changed before its email went out (an import or a draw arriving during
    # the pass): the email would have said a re-check was due that was done or put off.
    now = local(DUE, 9)
    with time_machine.travel(now, tick=False):
        token, claimed = sending.claim_batch([reminder.pk], now)
        if change == "a new result closes it":
            add_ferritin(patient, DUE - datetime.timedelta(days=1), 300)
        else:
            services.snooze(Reminder.objects.get(pk=reminder.pk), datetime.date(2025, 5, 5))
        sending.deliver_batch(token, claimed, now, sending.Outcome(), connection=None)
    assert mail.outbox == []
    reminder.refresh_from_db()
    assert (reminder.status, reminder.sent_at) in [("done", None), ("snoozed", None)]


def test_a_person_deleted_after_the_claim_is_not_emailed_and_waits_for_an_undo(
    reminder, patient, mail_on
):
    now = local(DUE, 9)
    with time_machine.travel(now, tick=False):
        token, claimed = sending.claim_batch([reminder.pk], now)
        records.delete_person(Patient.objects.get(pk=patient.pk))
        sending.deliver_batch(token, claimed, now, sending.Outcome(), connection=None)
        assert mail.outbox == []
        reminder.refresh_from_db()
        assert (reminder.status, reminder.claim) == ("upcoming", None)
        records.undo_delete_person(Patient.objects.get(pk=patient.pk))
        assert sending.send_due(now).sent == 1
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]


def test_a_snoozed_reminder_is_emailed_on_the_snooze_date(reminder):
    services.snooze(reminder, datetime.date(2025, 5, 5))
    with time_machine.travel(local(DUE, 9), tick=False):
        send()
    assert mail.outbox == []
    with time_machine.travel(local(datetime.date(2025, 5, 5), 9), tick=False):
        send()
    assert len(mail.outbox) == 1


def test_dismissed_and_done_reminders_are_never_emailed(reminder, patient):
    services.dismiss(reminder)
    with time_machine.travel(local(DUE, 9), tick=False):
        send()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_the_loop_stops_cleanly_on_sigterm(patient):
    add_infusion(patient, INFUSED)
    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    timer = threading.Timer(1.5, os.kill, (os.getpid(), signal.SIGTERM))
    try:
        with time_machine.travel(local(DUE, 9), tick=True):
            timer.start()
            output = send(loop=1)
    finally:
        timer.cancel()
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])
    assert "Signal 15: stopping" in output and output.rstrip().endswith("Stopped.")
    assert len(mail.outbox) == 1


def test_the_loop_refuses_a_zero_interval():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--loop: enter a number of seconds from 1 upwards"):
        send(loop=0)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL to run it)"
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_senders_email_each_reminder_exactly_once(owner, settings, monkeypatch):
    settings.EMAIL_BACKEND = "tests.reminders.test_send_reminders.SlowBackend"
    monkeypatch.setattr(sending, "BATCH", 10)
    count = 40
    for i in range(count):
        add_infusion(Patient.objects.create(owner=owner, name=f"P{i}"), INFUSED)
    assert Reminder.objects.sendable(local(DUE, 9)).count() == count

    outcomes = two_competing_senders(monkeypatch, local(DUE, 9))
    assert sum(o.sent for o in outcomes) == count
    first_lines = [m.body.splitlines()[0] for m in mail.outbox]  # each names its patient
    assert len(first_lines) == len(set(first_lines)) == count
    assert Reminder.objects.filter(status="sent").count() == count


class MinuteEachBackend(LocmemBackend):
    """A slow mail server: each email takes a minute (the clock moved on), and while the
    sixteenth is sent, past CLAIM_TIMEOUT since the batch was claimed, a second sender
    starts a pass."""

    clock = None
    second_pass = None

    def send_messages(self, messages):
        MinuteEachBackend.clock.shift(datetime.timedelta(minutes=1))
        sent = super().send_messages(messages)
        if len(mail.outbox) == 16 and MinuteEachBackend.second_pass is None:
            MinuteEachBackend.second_pass = sending.send_due()
        return sent


def test_a_sender_still_working_through_a_slow_batch_keeps_its_claim(owner, settings):
    """A batch outlasting CLAIM_TIMEOUT on a slow mail server is not taken over as if its
    sender had died: without the renewed claim, the second pass emailed all 30 again."""
    settings.EMAIL_BACKEND = "tests.reminders.test_send_reminders.MinuteEachBackend"
    for i in range(30):
        add_infusion(Patient.objects.create(owner=owner, name=f"P{i}"), INFUSED)
    MinuteEachBackend.second_pass = None
    with time_machine.travel(local(DUE, 9), tick=False) as clock:
        MinuteEachBackend.clock = clock
        first = sending.send_due()
    assert MinuteEachBackend.second_pass.sent == 0
    assert first.sent == len(mail.outbox) == 30
    assert len({m.body.splitlines()[0] for m in mail.outbox}) == 30
    assert Reminder.objects.filter(status="sent", claim=None).count() == 30


def test_one_run_sends_every_batch(owner, monkeypatch):
    monkeypatch.setattr(sending, "BATCH", 2)
    for i in range(5):
        add_infusion(Patient.objects.create(owner=owner, name=f"P{i}"), INFUSED)
    with time_machine.travel(local(DUE, 9), tick=False):
        assert "Sent 5," in send()
    assert len(mail.outbox) == 5


def test_a_reminder_deleted_after_its_claim_leaves_nothing_behind(reminder, patient):
    now = local(DUE, 9)
    token, claimed = sending.claim_batch([reminder.pk], now)
    records.erase_person(patient)
    outcome = sending.Outcome()
    sending.deliver_batch(token, claimed, now, outcome, connection=None)
    assert outcome.failed == 0
    assert not Reminder.objects.exists()


def queries_to_send(owner, count):
    for i in range(count):
        add_infusion(Patient.objects.create(owner=owner, name=f"P{len(str(i))}-{i}"), INFUSED)
    with CaptureQueriesContext(connection) as ctx:
        outcome = sending.send_due(local(DUE, 9))
    assert outcome.sent == count
    assert Reminder.objects.filter(status="sent", claim=None).count() == outcome.sent
    Reminder.objects.all().delete()
    sql = [q["sql"].lstrip().upper() for q in ctx.captured_queries]
    reads = sum(q.startswith("SELECT") for q in sql)
    return len(sql) - reads, reads


def test_sent_reminders_are_marked_in_a_few_writes_not_one_per_email(owner):
    one_mark = queries_to_send(owner, sending.MARK_EVERY)
    two_marks = queries_to_send(owner, 2 * sending.MARK_EVERY)
    # Twice the emails cost one more marking write (and moving on the people's versions),
    # not one each...
    assert two_marks[0] - one_mark[0] <= 2
    # ...and, besides the lock taken before moving versions on, one read per reminder: who
    # still gets it, asked just before its emails (recipients.still_getting).
    assert two_marks[1] - one_mark[1] <= sending.MARK_EVERY + 1


class CountingBackend(LocmemBackend):
    opened = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        CountingBackend.opened += 1


def test_one_mail_connection_serves_the_whole_pass(owner, settings):
    settings.EMAIL_BACKEND = "tests.reminders.test_send_reminders.CountingBackend"
    CountingBackend.opened = 0
    for i in range(5):
        add_infusion(Patient.objects.create(owner=owner, name=f"P{i}"), INFUSED)
    assert sending.send_due(local(DUE, 9)).sent == 5
    assert (CountingBackend.opened, len(mail.outbox)) == (1, 5)


def test_a_pass_cut_short_marks_what_it_emailed_and_gives_back_the_rest(owner):
    for i in range(5):
        add_infusion(Patient.objects.create(owner=owner, name=f"P{i}"), INFUSED)
    outcome = sending.send_due(local(DUE, 9), should_stop=lambda: len(mail.outbox) >= 3)
    assert outcome.sent == 3
    assert Reminder.objects.filter(status="sent", claim=None).count() == 3
    assert Reminder.objects.filter(status="upcoming", claim=None).count() == 2


class FailsForBea(LocmemBackend):
    def send_messages(self, messages):
        if "for Bea:" in messages[0].body:
            raise smtplib.SMTPServerDisconnected("gone")
        return super().send_messages(messages)


def test_one_failed_email_leaves_the_others_of_its_batch_sent(owner, settings):
    settings.EMAIL_BACKEND = "tests.reminders.test_send_reminders.FailsForBea"
    for name in ("Ann", "Bea", "Cal"):
        add_infusion(Patient.objects.create(owner=owner, name=name), INFUSED)
    outcome = sending.send_due(local(DUE, 9))
    assert (outcome.sent, outcome.failed) == (2, 1)
    assert set(Reminder.objects.filter(status="sent").values_list("patient__name", flat=True)) == {
        "Ann",
        "Cal",
    }
    assert Reminder.objects.get(patient__name="Bea").last_error == "SMTPServerDisconnected"


class FakeSMTP:
    """smtplib.SMTP's part that Django's SMTP backend uses, counting connections."""

    opened = 0
    refuse = ()  # recipients whose email fails, as a dropped connection would
    down = False

    def __init__(self, host, port, **kwargs):
        if FakeSMTP.down:
            raise ConnectionRefusedError(111, "Connection refused")
        FakeSMTP.opened += 1
        self.closed = False

    def sendmail(self, from_addr, to_addrs, msg):
        assert not self.closed
        if set(to_addrs) & set(FakeSMTP.refuse):
            raise smtplib.SMTPServerDisconnected("gone")
        return {}

    def quit(self):
        self.closed = True

    def close(self):
        self.closed = True


@pytest.fixture
def fake_smtp(settings, monkeypatch):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    monkeypatch.setattr("django.core.mail.backends.smtp.smtplib.SMTP", FakeSMTP)
    monkeypatch.setattr(FakeSMTP, "opened", 0)
    monkeypatch.setattr(FakeSMTP, "refuse", ())
    monkeypatch.setattr(FakeSMTP, "down", False)
    return FakeSMTP


def test_one_smtp_connection_serves_the_whole_pass(owner, fake_smtp):
    for i in range(5):
        add_infusion(Patient.objects.create(owner=owner, name=f"P{i}"), INFUSED)
    assert sending.send_due(local(DUE, 9)).sent == 5
    assert fake_smtp.opened == 1


def test_after_a_dropped_smtp_connection_the_rest_share_a_new_one(owner, make_user, fake_smtp):
    bea = make_user("bea@example.com")
    add_infusion(Patient.objects.create(owner=owner, name="Ann"), INFUSED)
    add_infusion(Patient.objects.create(owner=bea, name="Bea"), INFUSED)
    for i in range(3):
        add_infusion(Patient.objects.create(owner=owner, name=f"P{i}"), INFUSED)
    fake_smtp.refuse = ("bea@example.com",)
    outcome = sending.send_due(local(DUE, 9))
    assert (outcome.sent, outcome.failed) == (4, 1)
    assert fake_smtp.opened == 2


def test_a_mail_server_that_is_away_leaves_every_reminder_for_a_retry(owner, fake_smtp, caplog):
    for i in range(3):
        add_infusion(Patient.objects.create(owner=owner, name=f"P{i}"), INFUSED)
    fake_smtp.down = True
    outcome = sending.send_due(local(DUE, 9))
    assert (outcome.sent, outcome.failed) == (0, 3)
    assert Reminder.objects.filter(status="upcoming", attempts=1, claim=None).count() == 3
    assert "mail connection failed (ConnectionRefusedError)" in caplog.text
