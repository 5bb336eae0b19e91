"""The writes PostgreSQL runs as one statement (tracking/statements.py) leave exactly the rows
the ordinary path leaves: a new draw with its results and both histories
(services/new_draw.py), a re-check closed and the next inserted (reminders/saving.py),
and the worklist row that moves the data version on (versions.carrying_the_bump)."""

import datetime

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from simple_history.signals import post_create_historical_record, pre_create_historical_record

from rlsapp.domain import units
from rlsapp.reminders import saving
from rlsapp.reminders import services as reminder_services
from rlsapp.reminders.models import Reminder
from rlsapp.tracking import services, statements
from rlsapp.tracking.models import LabDraw, LabResult, Patient
from rlsapp.tracking.services import new_draw
from rlsapp.tracking.versions import bump_person_versions, carrying_the_bump, one_bump_at_the_end

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite runs these writes one by one"
)
DAY = datetime.date(2026, 5, 4)
SKIP = {"id", "draw_id", "history_id", "history_date", "created"}


def measurements(ferritin="84"):
    parsed = {}
    for code, text, unit in [("ferritin", ferritin, "µg/L"), ("iron", "60", "µg/dL")]:
        parsed[code] = units.measure(code, text, unit)
    parsed["tibc"] = units.measure("tibc", "300", "µg/dL")
    return parsed


def rows_of(draw):
    """Everything written about the draw, without ids and moments."""

    def strip(values):
        return {k: v for k, v in values.items() if k not in SKIP}

    results = LabResult.objects.filter(draw=draw).order_by("analyte")
    history = LabResult.history.filter(draw_id=draw.pk).order_by("analyte")
    return (
        strip(LabDraw.objects.filter(pk=draw.pk).values().get()),
        [strip(r) for r in results.values()],
        [strip(h) for h in LabDraw.history.filter(id=draw.pk).values()],
        [strip(h) for h in history.values()],
    )


def save_new(patient, by, ferritin="84"):
    draw = LabDraw(patient=patient, drawn_on=DAY, lab_name="City Lab", note="fasting")
    calculated = services.save_draw(draw, measurements(ferritin), by=by)
    return draw, calculated


@postgres_only
def test_a_new_draw_in_one_statement_writes_what_the_ordinary_path_writes(
    patient, owner, monkeypatch
):
    with CaptureQueriesContext(connection) as one:
        fused, calculated = save_new(patient, owner)
    assert calculated  # TSAT from iron and TIBC, stored as calculated
    monkeypatch.setattr(new_draw, "possible", lambda using="default": False)
    with CaptureQueriesContext(connection) as ordinary:
        plain, _ = save_new(patient, owner)
    assert rows_of(fused) == rows_of(plain)
    assert fused.pk != plain.pk and rows_of(fused)[3][0]["history_user_id"] == owner.pk
    assert LabResult.history.filter(draw_id=fused.pk).count() == 4
    # The ids are on the instances, as save() and bulk_create() leave them.
    stored = {r.analyte: r.pk for r in LabResult.objects.filter(draw=fused)}
    assert stored == {r.analyte: r.pk for r in fused.results.all()}

    def draw_writes(queries):
        starts = ('INSERT INTO "tracking_labdraw', 'INSERT INTO "tracking_labresult')
        starts += ('INSERT INTO "tracking_historicallab', 'WITH "draw"')
        return [q for q in queries if q["sql"].startswith(starts)]

    # The draw, its history, its results and theirs: one statement instead of four.
    assert len(draw_writes(one.captured_queries)) == 1
    assert len(draw_writes(ordinary.captured_queries)) == 4


@postgres_only
def test_a_tracked_field_its_insert_does_not_return_is_sent_from_the_instance(
    patient, owner, monkeypatch
):
    """The history's tracked fields are copied from what the inserts return; one they did
    not return (none today) would be sent as the instance holds it, as before."""
    copied = new_draw._copied
    kept = []

    def copy_all_but_note(history_model, table, cte, given):
        found = copied(history_model, table, cte, given)
        kept.append(found.pop("note", None))
        return found

    fused, _ = save_new(patient, owner)
    monkeypatch.setattr(new_draw, "_copied", copy_all_but_note)
    sent, _ = save_new(patient, owner)
    assert kept[0] == '"draw"."note"'  # the draw's note was copied, and this time is not
    assert rows_of(sent) == rows_of(fused)
    assert LabDraw.history.get(id=sent.pk).note == "fasting"


def test_a_new_draws_history_restores_it_after_a_delete(patient, owner):
    """The rows the one statement writes are what restore reads back."""
    draw, _ = save_new(patient, owner, ferritin="55")
    services.delete_draw(LabDraw.objects.get(pk=draw.pk))
    deleted = LabDraw.history.filter(id=draw.pk, history_type="-").get()
    services.restore(deleted)
    back = LabDraw.objects.get(pk=draw.pk)
    assert back.note == "fasting"
    assert sorted(r.analyte for r in back.results.all()) == ["ferritin", "iron", "tibc", "tsat"]
    assert back.results.get(analyte="ferritin").value == 55


def test_a_draw_has_no_post_save_receiver_but_its_history():
    """new_draw.insert writes the history row that simple_history's post_save would, and
    sends no post_save: another receiver would be skipped on PostgreSQL."""
    receivers = post_save._live_receivers(LabDraw)
    if isinstance(receivers, tuple):  # Django 5: (sync, async)
        receivers = [r for group in receivers for r in group]
    owners = {getattr(r, "__self__", r).__class__.__module__ for r in receivers}
    assert owners == {"simple_history.models"}


@pytest.mark.parametrize("signal", [pre_create_historical_record, post_create_historical_record])
def test_nothing_listens_to_a_history_rows_creation(signal):
    """simple_history sends these around each history row save() writes; new_draw.insert
    writes the rows itself and sends neither, so a receiver added later would be skipped
    for draws entered on PostgreSQL."""
    assert not signal.receivers


def open_reminder(patient):
    return Reminder.objects.open().get(patient=patient)


def row(reminder):
    return {
        k: v
        for k, v in Reminder.objects.filter(pk=reminder.pk).values().get().items()
        if k not in {"id", "created", "updated", "closed_at", "event_key", "calendar_event"}
    }


@pytest.mark.parametrize("fused", [True, False])
def test_closing_a_recheck_and_scheduling_the_next_writes_what_save_writes(
    patient, owner, fused, monkeypatch
):
    if fused and not statements.one_statement():
        pytest.skip("SQLite runs these writes one by one")
    if not fused:
        monkeypatch.setattr(statements, "one_statement", lambda using="default": False)
    save_new(patient, owner, ferritin="150")
    first = open_reminder(patient)
    draw = LabDraw(patient=patient, drawn_on=DAY + datetime.timedelta(days=30))
    services.save_draw(draw, {"ferritin": units.measure("ferritin", "90", "µg/L")})
    first.refresh_from_db()
    after = open_reminder(patient)
    assert first.status == Reminder.DONE and first.closed_at is not None
    assert first.calendar_event == "" and first.send_after is None
    assert after.pk != first.pk and after.latest_ferritin_on == draw.drawn_on
    assert after.event_key and f"rlsapp-reminder-{after.event_key}@" in after.calendar_event
    # What the one statement left is what the same reminder saved again would leave.
    before = row(after)
    after.save()
    assert row(after) == before


@postgres_only
def test_saving_add_raises_when_the_reminder_to_close_is_gone(patient, owner):
    save_new(patient, owner)
    current = open_reminder(patient)
    current.close(Reminder.DONE)
    Reminder.objects.filter(pk=current.pk).delete()
    new = Reminder(patient=patient)
    new.schedule(reminder_services.plan_for(patient), patient)
    with pytest.raises(RuntimeError):
        saving.add(new, after_closing=current)


def version_of(person):
    return Patient.objects.values_list("data_version", flat=True).get(pk=person.pk)


def test_the_worklist_row_carries_the_bump_only_for_one_person(patient, owner):
    other = Patient.objects.create(owner=owner, name="Bea", sex="F")
    sql = "SELECT 1"
    with one_bump_at_the_end():
        bump_person_versions([patient.pk, other.pk])
        # Two people wait: their rows are locked in id order at the end, so nothing carries.
        assert carrying_the_bump(patient.pk, sql, []) == (sql, [])
    with one_bump_at_the_end():
        bump_person_versions([patient.pk])
        carried = carrying_the_bump(patient.pk, sql, [])
        assert (carried != (sql, [])) == statements.one_statement()
        assert carrying_the_bump(patient.pk, sql, []) == (sql, [])  # taken once
    with one_bump_at_the_end():
        with one_bump_at_the_end():  # nested: the row stays unlocked until the outer end
            bump_person_versions([patient.pk])
            assert carrying_the_bump(patient.pk, sql, []) == (sql, [])
    # Outside one_bump_at_the_end the bump has been made already: nothing to carry.
    assert carrying_the_bump(patient.pk, sql, []) == (sql, [])


def test_a_draw_moves_the_version_on_once_whichever_statement_carries_it(patient, owner):
    before = version_of(patient)
    save_new(patient, owner)
    assert version_of(patient) == before + 1
    # A person whose re-check is not rescheduled (deleted: nothing written to the worklist
    # row) still has the version moved on, at the end.
    draw = LabDraw.objects.get(patient=patient)
    services.leave_out(draw, "illness")
    assert version_of(patient) == before + 2
