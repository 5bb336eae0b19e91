"""A new lab draw, its results and the history rows of both as one statement (PostgreSQL).

Saved the ordinary way, a new draw is four INSERTs: the draw (Model.save), its history
row (simple_history's post_save), the results and theirs (bulk_create_with_history). On
PostgreSQL they are one statement of data-modifying WITH parts, each reading the ids the
one before returned (tracking/statements.py). The rows are what the ordinary way writes:
every value goes through its field's pre_save and preparation, and each history row is
built as simple_history builds it: its user, reason and date, and the tracked fields, which
the history's part copies from the row its insert returned instead of sending them again. The
draw's pre_save signal is sent as save() sends it; post_save is not, and LabDraw has no
receiver of it but simple_history's, whose row is written here (a test keeps it so).
"""

import functools
from types import SimpleNamespace

from django.db import connections
from django.db.models.signals import pre_save
from django.utils import timezone
from simple_history.utils import get_change_reason_from_object

from .. import access_log, compiled, statements, versions
from ..models import LabDraw, LabResult, Patient


def possible(using="default") -> bool:
    return statements.one_statement(using)


def _history_fields(instance, history_model):
    """The history row as simple_history fills it for `instance` just created: its own
    fields, and the tracked ones as the instance holds them (the statement copies those its
    insert returns from there instead: _copied)."""
    user = history_model.get_default_history_user(instance)
    return SimpleNamespace(
        **{f.attname: getattr(instance, f.attname) for f in history_model.tracked_fields},
        history_date=getattr(instance, "_history_date", timezone.now()),
        history_type="+",
        history_user_id=None if user is None else user.pk,
        history_change_reason=get_change_reason_from_object(instance),
    )


def _copied(history_model, table, cte, given):
    """`given` with each tracked field that `table` (the model's layout) inserts taken from
    the row the `cte` part returned: the same values, not sent a second time."""
    inserted = {column.field.attname: column.name for column in table.inserted}
    copied = {
        field.attname: f"{cte}.{inserted[field.attname]}"
        for field in history_model.tracked_fields
        if field.attname in inserted and field.attname not in given
    }
    return {**copied, **given}


@functools.cache
def _history_model(model):
    # Each read of Model.history builds a manager class: read once.
    return model.history.model


class _Sql:
    """The statement's parts, with its params in the order their placeholders are written."""

    def __init__(self, using):
        self.connection = connections[using]
        self.using = using
        self.params = []

    def table(self, model):
        return statements.layout(model, self.using)

    def values(self, obj, table, given):
        """`obj`'s values as typed placeholders, or the SQL in `given` (by attname) for
        those the statement knows only as it runs (the new ids)."""
        parts = []
        for column in table.inserted:
            field = column.field
            if field.attname in given:
                parts.append(given[field.attname])
                continue
            value = field.get_db_prep_save(field.pre_save(obj, True), self.connection)
            self.params.append(value)
            parts.append(column.placeholder)
        return ", ".join(parts)


def insert(draw: LabDraw, results: list[LabResult], using="default") -> None:
    """Insert the new `draw` with `results` (at most one per analyte) and all their history
    rows; sets the ids on the instances as save() and bulk_create() do."""
    pre_save.send(sender=LabDraw, instance=draw, raw=False, using=using, update_fields=None)
    sql = _Sql(using)
    draws, results_table = sql.table(LabDraw), sql.table(LabResult)
    draw_history = _history_model(LabDraw)
    history_table = sql.table(draw_history)
    values = sql.values(draw, draws, {})  # pre_save sets `created`, which history copies
    parts = [
        f'"draw" AS (INSERT INTO {draws.table} ({draws.names(draws.inserted)}) '
        f"VALUES ({values}) RETURNING {draws.pk}, {draws.names(draws.inserted)})"
    ]
    # The person's row locked in the same statement, as versions.lock_people locks it, for
    # the re-check that follows: one statement less.
    # Its data version as locked tells the re-check whether the person changed since the
    # request read them (versions.changed_since_read).
    people = sql.table(Patient)
    version = sql.connection.ops.quote_name(Patient._meta.get_field("data_version").column)
    parts.append(
        f'"person" AS (SELECT {people.pk}, {version} FROM {people.table} '
        f"WHERE {people.pk} = %s FOR NO KEY UPDATE)"
    )
    sql.params.append(draw.patient_id)
    # The request's access-log row, when it is this change's (access_log.row_ahead): written
    # here, it needs no statement and no commit of its own after the response.
    logged = access_log.row_ahead(draw.patient_id)
    if logged is not None:
        log = sql.table(access_log.AccessLogEntry)
        entry = access_log.entry_of(logged)
        parts.append(
            f'"logged" AS (INSERT INTO {log.table} ({log.names(log.inserted)}) '
            f"VALUES ({sql.values(entry, log, {})}) RETURNING {log.pk})"
        )
    draw_id = f'"draw".{draws.pk}'
    given = _copied(draw_history, draws, '"draw"', {"id": draw_id})
    values = sql.values(_history_fields(draw, draw_history), history_table, given)
    parts.append(
        f'"draw_history" AS (INSERT INTO {history_table.table} '
        f'({history_table.names(history_table.inserted)}) SELECT {values} FROM "draw")'
    )
    analyte_column = sql.connection.ops.quote_name(LabResult._meta.get_field("analyte").column)
    result_id, analyte = f'"results".{results_table.pk}', f'"results".{analyte_column}'
    if results:
        selects = [
            f'SELECT {sql.values(r, results_table, {"draw_id": draw_id})} FROM "draw"'
            for r in results
        ]
        parts.append(
            f'"results" AS (INSERT INTO {results_table.table} '
            f"({results_table.names(results_table.inserted)}) {' UNION ALL '.join(selects)} "
            f"RETURNING {results_table.pk}, {results_table.names(results_table.inserted)})"
        )
        result_history = _history_model(LabResult)
        history_table = sql.table(result_history)
        given = _copied(result_history, results_table, '"results"', {"id": result_id})
        selects = []
        for result in results:
            result.draw = draw
            values = sql.values(_history_fields(result, result_history), history_table, given)
            sql.params.append(result.analyte)
            selects.append(f'SELECT {values} FROM "draw", "results" WHERE {analyte} = %s')
        parts.append(
            f'"results_history" AS (INSERT INTO {history_table.table} '
            f"({history_table.names(history_table.inserted)}) {' UNION ALL '.join(selects)})"
        )
        columns, sources = f"{draw_id}, {result_id}, {analyte}", '"draw", "results"'
    else:
        columns, sources = f"{draw_id}, NULL, NULL", '"draw"'
    columns += f', "person".{version}'  # read, so that the lock runs
    if logged is not None:
        columns += f', (SELECT {log.pk} FROM "logged")'
    final = f'SELECT {columns} FROM {sources}, "person"'
    # Prepared on PostgreSQL (planned once per connection for each set of analytes): every
    # value is typed by its CAST or the column it is compared with.
    with compiled.prepared_cursor(sql.connection) as cursor:
        cursor.execute(f"WITH {', '.join(parts)} {final}", sql.params)
        rows = cursor.fetchall()
    versions.note_locked({draw.patient_id: rows[0][3]})
    if logged is not None:
        access_log.written_ahead(logged, rows[0][4], using)
    draw.pk = rows[0][0]
    draw._state.adding, draw._state.db = False, using
    ids = {row[2]: row[1] for row in rows}
    for result in results:
        result.draw = draw
        result.pk = ids[result.analyte]
        result._state.adding, result._state.db = False, using
