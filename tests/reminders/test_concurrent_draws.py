"""Two changes to one person's records at the same time (PostgreSQL, READ COMMITTED): the
re-check and the worklist row written last rest on both, never on one alone."""

import datetime
import threading

import pytest

from rlsapp.reminders import services as scheduler

from .helpers import (
    ON_POSTGRESQL_COMMITTED,
    TwoChanges,
    add_ferritin,
    add_infusion,
    planned_recheck,
    stored_recheck,
)

pytestmark = ON_POSTGRESQL_COMMITTED

# How long the first change waits, after reading the history, for the second to read it
# too: the second reads it at once unless the person's row keeps it waiting.
OVERLAP_SECONDS = 1.5


@pytest.mark.parametrize("second", ["draw", "infusion"])
def test_a_change_made_while_another_reschedules_is_in_the_stored_recheck(
    monkeypatch, patient, second
):
    start = datetime.date(2026, 1, 5)
    add_infusion(patient, start)
    add_ferritin(patient, start + datetime.timedelta(weeks=8), 400)
    first_read, second_read = threading.Event(), threading.Event()
    real_history_for = scheduler.history_for

    def history_for(person, **read):
        found = real_history_for(person, **read)
        if threading.current_thread() is changes.first:
            first_read.set()
            # Without a lock on the person, the second change reads its history now,
            # without the first's draw, and writes its plan after the first commits.
            second_read.wait(OVERLAP_SECONDS)
        else:
            second_read.set()
        return found

    monkeypatch.setattr(scheduler, "history_for", history_for)
    newer = start + datetime.timedelta(weeks=20)

    def first_change():
        add_ferritin(patient, newer, 60)

    def second_change():
        if second == "draw":
            add_ferritin(patient, start + datetime.timedelta(weeks=14), 250)
        else:
            add_infusion(patient, start + datetime.timedelta(weeks=16))

    changes = TwoChanges(first_change, second_change)
    assert changes.run(first_read) == {}
    stored = stored_recheck(patient)
    assert stored == planned_recheck(patient)
    assert (stored["latest_ferritin"], stored["latest_ferritin_on"]) == (60, newer)
