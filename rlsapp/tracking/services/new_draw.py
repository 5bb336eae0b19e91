"""A new lab draw, its results and the history rows of both as one statement (PostgreSQL).

Saved the ordinary way, a new draw is four INSERTs: the draw (Model.save), its history
row (simple_history's post_save), the results and theirs (bulk_create_with_history). On
PostgreSQL they are one statement of data-modifying WITH parts, each reading the ids the
one before returned (tracking/statements.py). The rows are what the ordinary way writes:
every value goes through its field's pre_save and preparation, and each history row is
built as simple_history builds it (its user, reason and date, the tracked fields). The
draw's pre_save signal is sent as save() sends it; post_save is not, and LabDraw has no
receiver of it but simple_history's, whose row is written here (a test keeps it so).
"""

from django.db import connections
from django.db.models.signals import pre_save
from django.utils import timezone
from simple_history.utils import get_change_reason_from_object

from .. import statements
from ..models import LabDraw, LabResult


def possible(using="default") -> bool:
    return statements.one_statement(using)


def _history_row(instance, history_model):
    """The history row simple_history would write for `instance` just created."""
    return history_model(
        history_date=getattr(instance, "_history_date", timezone.now()),
        history_type="+",
        history_user=history_model.get_default_history_user(instance),
        history_change_reason=get_change_reason_from_object(instance),
        **{f.attname: getattr(instance, f.attname) for f in history_model.tracked_fields},
    )


class _Sql:
    """Columns and typed placeholders for one model's INSERT."""

    def __init__(self, connection):
        self.connection = connection
        self.quote = connection.ops.quote_name
        self.params = []

    def table(self, model):
        return self.quote(model._meta.db_table)

    def fields(self, model):
        return [f for f in model._meta.local_concrete_fields if f is not model._meta.auto_field]

    def columns(self, fields):
        return ", ".join(self.quote(f.column) for f in fields)

    def values(self, obj, fields, given):
        """`obj`'s values of `fields` as typed placeholders, or the SQL in `given` (by
        attname) for those the statement knows only as it runs (the new ids)."""
        parts = []
        for field in fields:
            if field.attname in given:
                parts.append(given[field.attname])
                continue
            value = field.get_db_prep_save(field.pre_save(obj, True), self.connection)
            self.params.append(value)
            parts.append(f"CAST(%s AS {field.cast_db_type(self.connection)})")
        return ", ".join(parts)


def insert(draw: LabDraw, results: list[LabResult], using="default") -> None:
    """Insert the new `draw` with `results` (at most one per analyte) and all their history
    rows; sets the ids on the instances as save() and bulk_create() do."""
    connection = connections[using]
    pre_save.send(sender=LabDraw, instance=draw, raw=False, using=using, update_fields=None)
    sql = _Sql(connection)
    q = sql.quote
    # Placeholders are filled in the order they are written (sql.values keeps the params).
    fields = sql.fields(LabDraw)
    values = sql.values(draw, fields, {})  # pre_save sets `created`, which history copies
    parts = [
        f"{q('draw')} AS (INSERT INTO {sql.table(LabDraw)} ({sql.columns(fields)}) "
        f"VALUES ({values}) RETURNING {q(LabDraw._meta.pk.column)})"
    ]
    draw_id = f"{q('draw')}.{q(LabDraw._meta.pk.column)}"
    history = LabDraw.history.model
    fields = sql.fields(history)
    values = sql.values(_history_row(draw, history), fields, {"id": draw_id})
    parts.append(
        f"{q('draw_history')} AS (INSERT INTO {sql.table(history)} ({sql.columns(fields)}) "
        f"SELECT {values} FROM {q('draw')})"
    )
    result_id = f"{q('results')}.{q(LabResult._meta.pk.column)}"
    analyte = f"{q('results')}.{q(LabResult._meta.get_field('analyte').column)}"
    if results:
        fields = sql.fields(LabResult)
        selects = [
            f"SELECT {sql.values(r, fields, {'draw_id': draw_id})} FROM {q('draw')}"
            for r in results
        ]
        parts.append(
            f"{q('results')} AS (INSERT INTO {sql.table(LabResult)} ({sql.columns(fields)}) "
            f"{' UNION ALL '.join(selects)} RETURNING {q(LabResult._meta.pk.column)}, "
            f"{q(LabResult._meta.get_field('analyte').column)})"
        )
        history = LabResult.history.model
        fields = sql.fields(history)
        given = {"id": result_id, "draw_id": draw_id}
        selects = []
        for result in results:
            result.draw = draw
            values = sql.values(_history_row(result, history), fields, given)
            sql.params.append(result.analyte)
            selects.append(f"SELECT {values} FROM {q('draw')}, {q('results')} WHERE {analyte} = %s")
        parts.append(
            f"{q('results_history')} AS (INSERT INTO {sql.table(history)} "
            f"({sql.columns(fields)}) {' UNION ALL '.join(selects)})"
        )
        final = f"SELECT {draw_id}, {result_id}, {analyte} FROM {q('draw')}, {q('results')}"
    else:
        final = f"SELECT {draw_id}, NULL, NULL FROM {q('draw')}"
    rows = statements.run(f"WITH {', '.join(parts)} {final}", sql.params, using)
    draw.pk = rows[0][0]
    draw._state.adding, draw._state.db = False, using
    ids = {row[2]: row[1] for row in rows}
    for result in results:
        result.draw = draw
        result.pk = ids[result.analyte]
        result._state.adding, result._state.db = False, using
