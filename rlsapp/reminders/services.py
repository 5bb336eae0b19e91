"""Keep each patient's open reminder in step with their records and settings.

`sync_patient` is the one way a reminder is scheduled, moved or closed by the
data. rlsapp.tracking.services calls `records_changed` (settings.RECORDS_CHANGED_HANDLERS)
after every change to a person's records, inside the same transaction as the change.
Reminders' own changes (snooze, dismiss) move the page cache on here.
"""

import datetime

from django.db import connections, transaction
from django.db.models import Q
from django.db.models.constants import OnConflict
from django.utils import timezone

from rlsapp.domain import kinetics, recheck, urgency
from rlsapp.tracking import compiled, fit_inputs, past_estimates, statements
from rlsapp.tracking.models import Patient
from rlsapp.tracking.services import DRAWS, INFUSIONS, ORAL_IRON, SETTINGS
from rlsapp.tracking.versions import (
    bump_person_versions,
    carrying_the_bump,
    changed_since_read,
    lock_people,
)

from . import saving
from .history_rows import history_for
from .models import PersonStatus, Reminder

SNOOZE_MAX_DAYS = 365
# Symptom scores and RLS medicines do not move a re-check; an oral iron course does, since
# the results taken during it are left out of the fits (tracking/fit_inputs.py).
RESCHEDULED_BY = frozenset({DRAWS, INFUSIONS, SETTINGS, ORAL_IRON})


def records_changed(persons: list[Patient], kinds: frozenset[str]) -> None:
    """Reschedule each person's re-check after a change to what it rests on."""
    if kinds & RESCHEDULED_BY:
        if len(persons) > 1:  # all at once, in id order: no two changes wait for each other
            lock_people(person.pk for person in persons)
        for person in persons:
            sync_patient(person, details_changed=SETTINGS in kinds)


def settings_for(patient: Patient) -> recheck.Settings:
    """The person's settings; the chart reads the same (tracking.fit_inputs)."""
    return fit_inputs.settings_for(patient)


def plan_for(patient: Patient) -> recheck.Recheck:
    """The rules applied to the patient's whole history."""
    history = history_for(patient)
    return recheck.next_recheck(settings_for(patient), history.points, history.infusions)


def recheck_fields(reminder: Reminder | None) -> dict:
    """The open re-check's part of the person's worklist row (PersonStatus)."""
    return {
        "recheck_remind_on": reminder.remind_on if reminder else None,
        "recheck_soon_from": reminder.soon_from if reminder else None,
        "recheck_reason": reminder.reason if reminder else "",
        "recheck_estimate_on": reminder.estimate_on if reminder else None,
        "recheck_estimate_from": reminder.estimate_from if reminder else None,
        "recheck_estimate_to": reminder.estimate_to if reminder else None,
    }


def store_recheck(patient_id: int, reminder: Reminder | None) -> None:
    """After a change of the open re-check alone (snooze, dismiss, the admin): one query."""
    PersonStatus.objects.filter(patient_id=patient_id).update(**recheck_fields(reminder))


def refresh_recheck(patient_id: int) -> None:
    """Store the person's open re-check as it is in the database (after an admin edit)."""
    store_recheck(patient_id, Reminder.objects.open().filter(patient_id=patient_id).first())


@transaction.atomic
def reminders_edited(patient_ids) -> None:
    """After the admin saved or deleted reminders of these people (both sides of a reminder
    moved to another person): their worklist rows and cached pages follow."""
    for patient_id in sorted(set(patient_ids)):
        refresh_recheck(patient_id)
    bump_person_versions(patient_ids)


def store_status(patient: Patient, plan: recheck.Recheck, infusions, reminder) -> None:
    """Keep the worklist's row of the person (PersonStatus) in step with the plan and the
    open re-check `reminder` (None without one): one query."""
    latest = plan.latest
    last_infusion_on = max((i.day for i in infusions), default=None)
    status = PersonStatus(
        patient=patient,
        name=patient.name,
        latest_ferritin=latest.value if latest else None,
        latest_ferritin_comparator=latest.comparator if latest else "",
        latest_ferritin_on=latest.day if latest else None,
        latest_ferritin_left_out=latest.left_out if latest else "",
        last_infusion_on=last_infusion_on,
        untreated_ratio=urgency.untreated_ratio(
            latest.value if latest else None,
            latest.comparator if latest else "",
            latest.day if latest else None,
            patient.ferritin_threshold,
            last_infusion_on,
        ),
        **recheck_fields(reminder),
    )
    # An upsert, as bulk_create(update_conflicts=True) writes it; on PostgreSQL it moves the
    # person's data version on too when that bump is all that is left to do. Prepared there
    # (planned once per connection, with or without the bump): its values are typed.
    sql, params = _status_upsert(status)
    statements.run(*carrying_the_bump(patient.pk, sql, params), prepared=True)


def _status_upsert(status: PersonStatus, using="default"):
    """(sql, params) of the stored row's upsert, with the name read from the person's own
    row in the same statement, and no row for a person deleted meanwhile: the instance a
    change starts from is read at the request's start, before the person's row is locked,
    so a rename or delete committed in between is only in the row (its name would stay on
    the worklist until the next change; a deleted person would be listed again)."""
    connection = connections[using]
    quote, people = connection.ops.quote_name, Patient._meta
    layout = statements.layout(PersonStatus, using)
    # SQLite's CAST(... AS date) would make a number of a day: its values go as they are.
    typed = connection.vendor == "postgresql"
    from_person = {"patient": people.pk.column, "name": people.get_field("name").column}
    values, params = [], []
    for column in layout.inserted:
        field = column.field
        if field.name in from_person:
            values.append(f"p.{quote(from_person[field.name])}")
        else:
            values.append(column.placeholder if typed else "%s")
            params.append(field.get_db_prep_save(getattr(status, field.attname), connection))
    fields = [c.field for c in layout.inserted]
    suffix = connection.ops.on_conflict_suffix_sql(
        fields,
        OnConflict.UPDATE,
        [f.column for f in fields if not f.primary_key],
        [PersonStatus._meta.pk.column],
    )
    sql = (
        f"INSERT INTO {layout.table} ({layout.names(layout.inserted)}) "
        f"SELECT {', '.join(values)} FROM {quote(people.db_table)} p "
        f"WHERE p.{quote(people.pk.column)} = %s "
        f"AND p.{quote(people.get_field('deleted_at').column)} IS NULL {suffix}"
    )
    return sql, [*params, status.patient_id]


def forget_status(patient: Patient) -> None:
    """Remove the person's worklist row (PersonStatus): one query."""
    table, key = compiled.table(PersonStatus), compiled.column(PersonStatus, "patient")
    sql, params = f"DELETE FROM {table} WHERE {key} = %s", [patient.pk]
    statements.run(*carrying_the_bump(patient.pk, sql, params))


# Inside a service's transaction already, usually: no savepoint of its own.
@transaction.atomic(savepoint=False)
def sync_patient(patient: Patient | int, *, details_changed=True) -> Reminder | None:
    """Schedule, move or close the patient's open reminder; returns the open one, if any.
    `details_changed`: the person's own details (their name) may have changed, which the
    stored calendar event shows; records_changed knows when only records did.

    A ferritin result newer than the one the open reminder was worked out from
    closes it as done and the next is scheduled. Any other change (settings, an
    infusion, a deleted result) moves it. A dismissed re-check is not brought back
    for the same rule and date.
    """
    if not isinstance(patient, Patient):
        patient = Patient.objects.get(pk=patient)
    if patient.deleted_at is not None:
        # Deleted, to be erased or brought back as it was: its open re-check stays as it is
        # (snoozed or emailed), unsent and out of every feed (Reminder.objects.sendable).
        # Its worklist row goes, so that the worklist leaves it out without reading each
        # person's own row; an undo stores it again.
        forget_status(patient)
        return None
    # Another change to the person waits until this one commits, and then reads its history
    # with this one's records in it (versions.lock_people).
    lock_people([patient.pk])
    if changed_since_read(patient):
        # Renamed, its settings or deletion changed after this request read it: plan and
        # store from the row as it is now (one query; only when someone else got in first).
        patient.refresh_from_db()
        if patient.deleted_at is not None:
            forget_status(patient)
            return None
    points, infusions, past_digest, open_rechecks = history_for(patient, lock_open=True)
    settings = settings_for(patient)
    plan = recheck.next_recheck(settings, points, infusions)
    reminder = settle_reminder(patient, plan, details_changed, open_rechecks)
    # The chart's past estimates, stored again only when what they rest on changed (before
    # the worklist row, whose statement may carry the data version's bump).
    courses = kinetics.group_courses([i.dose() for i in infusions], settings.course_days)
    past_estimates.keep_up_to_date(patient.pk, settings, points, courses, past_digest)
    store_status(patient, plan, infusions, reminder)
    return reminder


def _fields(reminder: Reminder) -> list:
    """What saving the reminder writes, but `updated` and the event rendered from the rest."""
    return [
        getattr(reminder, field.attname)
        for field in Reminder._meta.concrete_fields
        if field.name not in ("updated", "calendar_event")
    ]


# What settle_reminder's query is compiled with, found in its parameters and replaced by
# each call's person, rule and date (no reminder has them).
_STAND_INS = {"patient": compiled.STAND_INS[0], "kind": "\x00kind", "due": datetime.date(1, 1, 2)}


def _locking_query(with_rule: bool):
    """settle_reminder's query as Django compiles it: (compiler, SQL, params, where each
    stand-in is in them, the columns' converters). Compiled once per thread: it costs more
    than it takes to run."""
    same_rule = Q(kind=_STAND_INS["kind"], due_on=_STAND_INS["due"]) if with_rule else Q(pk__in=[])
    queryset = (
        Reminder.objects.select_for_update()
        .filter(patient_id=_STAND_INS["patient"])
        .filter(Q(status__in=Reminder.OPEN) | same_rule)
        .order_by("pk")
    )
    compiler = queryset.query.get_compiler(queryset.db)
    sql, params = compiler.as_sql()
    # SQLite's backend passes a date on as ISO text.
    kept = {name: (value, str(value)) for name, value in _STAND_INS.items()}
    places = {
        name: [i for i, value in enumerate(params) if value in forms]
        for name, forms in kept.items()
    }
    if not places["patient"] or (with_rule and not (places["kind"] and places["due"])):
        raise RuntimeError(f"settle_reminder's query lost a parameter: {sql}")
    converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
    return compiler, sql, list(params), places, converters


def _locked_reminders(patient: Patient, plan: recheck.Recheck) -> list[Reminder]:
    """The open reminder and the one for the plan's rule and date (perhaps the same row,
    perhaps dismissed or done), locked, in id order: one query."""
    compiler, sql, params, places, converters = compiled.per_thread(
        ("settle_reminder", bool(plan.rule)), lambda: _locking_query(bool(plan.rule))
    )
    params = list(params)
    connection = connections[compiler.using]
    values = {"patient": patient.pk}
    if plan.rule:
        values.update(kind=plan.kind, due=connection.ops.adapt_datefield_value(plan.due))
    for name, value in values.items():
        for place in places[name]:
            params[place] = value
    # Prepared on PostgreSQL: its parameters are an id and values compared with columns.
    with compiled.prepared_cursor(connection) as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if converters:
        rows = list(compiler.apply_converters(rows, converters))
    return compiled.Found(rows, compiler, compiler.using).instances()


def settle_reminder(
    patient: Patient, plan: recheck.Recheck, details_changed=True, open_rechecks=None
) -> Reminder | None:
    """The open reminder made, moved or closed to follow the plan; returns it, if any.
    `open_rechecks`: the open ones, locked already (history_for): enough when the plan has
    no rule or the open one's; else the one for the plan's rule is looked for too."""
    found = open_rechecks
    if found is None or (
        plan.rule and not any((r.kind, r.due_on) == (plan.kind, plan.due) for r in found)
    ):
        found = _locked_reminders(patient, plan)
    current = next((r for r in found if r.status in Reminder.OPEN), None)
    if plan.rule is None:
        if current:
            current.delete()
        return None

    same = next((r for r in found if r.kind == plan.kind and r.due_on == plan.due), None)
    if current and same and current.pk == same.pk:
        before = _fields(current)
        current.describe(plan, patient)
        # Most changes leave the plan as it was: then nothing is written. The stored calendar
        # event shows the person's name too, so a rename still saves (only a change of the
        # person's details renames: a new result is not rendered to be compared).
        if _fields(current) != before or (
            details_changed and current.render_event() != current.calendar_event
        ):
            current.save()
        return current
    closed = None
    if current:
        latest_on = plan.latest.day if plan.latest else None
        newer = latest_on is not None and (
            current.latest_ferritin_on is None or latest_on > current.latest_ferritin_on
        )
        if newer:
            current.close(Reminder.DONE)
            closed = current  # saved with what follows
        elif same is None:
            current.schedule(plan, patient)
            current.save()
            return current
        else:
            current.delete()
    if same:
        if closed:
            closed.save()
        if same.status == Reminder.DISMISSED:
            return None
        # Closed as done, then the result that closed it was deleted or moved.
        same.reopen(plan, patient)
        same.save()
        return same
    reminder = Reminder(patient=patient)
    reminder.schedule(plan, patient)
    saving.add(reminder, after_closing=closed)
    return reminder


class RecheckChanged(Exception):
    """The re-check was closed or moved after the caller read it (a new result, an
    infusion, a setting, another member's snooze): nothing was changed."""


def _as_read(reminder: Reminder) -> Reminder:
    """The re-check's row as committed now, locked, if it is still the one the caller read
    (open, the same rule, date and shown date); else RecheckChanged.

    The caller read it at the request's start, before any lock: saved as read, a re-check
    a new result had closed meanwhile came back open beside its successor (a 500), a
    dismiss cleared the successor from the worklist, and a snooze put back the rule and
    date an infusion had moved it from."""
    # The person's row before the re-check's, in the order a change of records takes them
    # (lock_people, then settle_reminder): taken the other way round, the two deadlock.
    lock_people([reminder.patient_id])
    current = (
        Reminder.objects.select_for_update(of=("self",))
        .select_related("patient")
        .filter(pk=reminder.pk)
        .first()
    )
    seen = (reminder.kind, reminder.due_on, reminder.remind_on)
    if (
        current is None
        or not current.is_open
        or (current.kind, current.due_on, current.remind_on) != seen
    ):
        raise RecheckChanged
    return current


def _store_and_tell(reminder: Reminder, current: Reminder, open_one: Reminder | None) -> None:
    current.save()
    store_recheck(current.patient_id, open_one)
    bump_person_versions([current.patient_id])
    for field in Reminder._meta.concrete_fields:  # the caller's instance as saved
        setattr(reminder, field.attname, getattr(current, field.attname))


@transaction.atomic
def snooze(reminder: Reminder, until: datetime.date) -> None:
    """Raises RecheckChanged when the re-check changed after `reminder` was read."""
    current = _as_read(reminder)
    current.snooze(until, current.patient.due_soon_days)
    _store_and_tell(reminder, current, current)


@transaction.atomic
def dismiss(reminder: Reminder) -> None:
    """Raises RecheckChanged when the re-check changed after `reminder` was read."""
    current = _as_read(reminder)
    current.close(Reminder.DISMISSED)
    _store_and_tell(reminder, current, None)


def snooze_range(today=None):
    today = today or timezone.localdate()
    return today + datetime.timedelta(days=1), today + datetime.timedelta(days=SNOOZE_MAX_DAYS)
