import datetime
import threading
import zoneinfo

import pytest
from django.conf import settings
from django.db import connection

from rlsapp.domain.units import Measurement
from rlsapp.reminders.models import Reminder
from rlsapp.tracking import services
from rlsapp.tracking.models import Infusion, LabDraw
from rlsapp.tracking.treatments import Medication, MedicationEvent


def add_ferritin(patient, day, value, comparator=""):
    """A ferritin result saved through the one write path, as the form saves it."""
    draw = LabDraw(patient=patient, drawn_on=day, lab_name="City Lab")
    ferritin = Measurement("ferritin", value, comparator, f"{comparator}{value:g}", "µg/L")
    services.save_draw(draw, {"ferritin": ferritin})
    return draw


def add_infusion(patient, day, product="derisomaltose"):
    infusion = Infusion(patient=patient, given_on=day, product=product, dose_mg=1000)
    return services.save_record(infusion)


def add_medicine(patient, start, drug="pramipexole", dose=0.25, stop=None, **fields):
    """An RLS medicine saved through the one write path (mg unless `dose_unit` says)."""
    medicine = Medication(
        patient=patient, drug=drug, dose=dose, started_on=start, stopped_on=stop, **fields
    )
    return services.save_treatment(medicine)


def add_medicine_event(medicine, day, kind, dose=None, **fields):
    """An event of an RLS medicine (a dose change, a side effect...) saved through the one
    write path."""
    event = MedicationEvent(
        medication=medicine,
        patient=medicine.patient,
        happened_on=day,
        kind=kind,
        dose=dose,
        **fields,
    )
    return services.save_treatment(event)


def add_episode(patient, infused_on, results):
    """An infusion on `infused_on`, then a ferritin result for each (weeks after it, value)."""
    add_infusion(patient, infused_on)
    for weeks, value in results:
        add_ferritin(patient, infused_on + datetime.timedelta(weeks=weeks), value)


def open_reminder(patient):
    return Reminder.objects.open().filter(patient=patient).first()


def local(day, hour=9, minute=0):
    """An aware datetime on `day` in the configured time zone."""
    return datetime.datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)
    )


def two_competing_senders(monkeypatch, now):
    """Run two sending passes at `now` in two threads (each its own PostgreSQL session)
    and return their outcomes. Both read the same first batch before either claims it, so
    they always compete for it (without this, one could finish its claim before the other
    read)."""
    from rlsapp.reminders import sending

    both_read = threading.Barrier(2)
    read_once = threading.local()
    real_candidates = sending.candidates

    def candidates_read_together(at):
        pks = real_candidates(at)
        if not getattr(read_once, "done", False):
            read_once.done = True
            both_read.wait(timeout=10)
        return pks

    monkeypatch.setattr(sending, "candidates", candidates_read_together)
    outcomes = []

    def run():
        try:
            outcomes.append(sending.send_due(now))
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 2, outcomes
    assert sum(o.lost for o in outcomes) > 0, ("the senders never competed", outcomes)
    return outcomes


# For tests of two changes at once: PostgreSQL's row locks and READ COMMITTED are what they
# are about, and each thread needs a connection of its own (committed, not a test's
# transaction).
ON_POSTGRESQL_COMMITTED = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL to run it)"
    ),
    pytest.mark.django_db(transaction=True),
]


class TwoChanges:
    """Two changes, each in a thread with its own connection: `first` starts, and `then`
    once `first_is_ready` is set (by a hook of the test's, which tells the threads apart by
    `self.first` and `self.then`). Exceptions are kept in `errors` by name."""

    def __init__(self, first_change, second_change):
        self.errors = {}
        self.first = threading.Thread(target=self._run, args=("first", first_change))
        self.then = threading.Thread(target=self._run, args=("then", second_change))

    def _run(self, name, change):
        try:
            change()
        except Exception as error:  # reported by the test
            self.errors[name] = error
        finally:
            connection.close()  # each thread has its own connection

    def run(self, first_is_ready) -> dict:
        self.first.start()
        assert first_is_ready.wait(10), "the first change never got to the overlap"
        self.then.start()
        self.first.join(20)
        self.then.join(20)
        return self.errors


def stored_recheck(patient) -> dict:
    """The person's stored worklist row and open re-check, as the scheduler left them."""
    from rlsapp.reminders.models import PersonStatus

    status = PersonStatus.objects.get(patient=patient)
    reminder = Reminder.objects.open().get(patient=patient)
    return {
        "name": status.name,
        "latest_ferritin": status.latest_ferritin,
        "latest_ferritin_on": status.latest_ferritin_on,
        "last_infusion_on": status.last_infusion_on,
        "remind_on": status.recheck_remind_on,
        "reason": status.recheck_reason,
        "reminder": (reminder.kind, reminder.due_on, reminder.reason, reminder.notes),
    }


def planned_recheck(patient) -> dict:
    """What the scheduler stores from the person's row and history as committed now (run
    again and rolled back), to compare with stored_recheck."""
    from django.db import transaction

    from rlsapp.reminders import services as scheduler

    with transaction.atomic():
        scheduler.sync_patient(patient.pk)
        planned = stored_recheck(patient)
        transaction.set_rollback(True)
    return planned
