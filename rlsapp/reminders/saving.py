"""The scheduler's close-and-schedule as one statement on PostgreSQL (tracking/statements.py).

A newer ferritin result closes the open re-check as done and schedules the next: an UPDATE
and an INSERT. The INSERT reads from the UPDATE's RETURNING, so PostgreSQL closes the old
row before it inserts the new one (at most one open re-check per person is a unique
index, checked row by row). Both rows are written exactly as Reminder.save() writes them.
"""

from django.db import connections

from rlsapp.tracking import statements

from .models import Reminder


def add(new: Reminder, *, after_closing: Reminder | None = None, using="default") -> None:
    """Insert `new`, the person's next open reminder, after saving `after_closing` (their
    open reminder, just closed) when given."""
    if after_closing is None or not statements.one_statement(using):
        if after_closing is not None:
            after_closing.save(using=using)
        new.save(using=using)
        return
    closed = after_closing
    connection = connections[using]
    table = statements.layout(Reminder, using)
    closed.prepare_save()
    new.prepare_save()

    def value(obj, field, add):
        return field.get_db_prep_save(field.pre_save(obj, add), connection)

    changed = [c for c in table.columns if not c.field.primary_key]
    sets = ", ".join(f"{c.name} = {c.placeholder}" for c in changed)
    values = ", ".join(c.placeholder for c in table.inserted)
    sql = (
        f'WITH "closed" AS (UPDATE {table.table} SET {sets} WHERE {table.pk} = %s '
        f"RETURNING {table.pk}) INSERT INTO {table.table} ({table.names(table.inserted)}) "
        f'SELECT {values} FROM "closed" RETURNING {table.table}.{table.pk}'
    )
    params = [value(closed, c.field, False) for c in changed]
    params += [closed.pk, *(value(new, c.field, True) for c in table.inserted)]
    # Prepared on PostgreSQL: every value is typed by its CAST or the column it is compared with.
    rows = statements.run(sql, params, using, prepared=True)
    if len(rows) != 1:  # the closed row was locked by the caller: it cannot be gone
        raise RuntimeError(f"reminder {closed.pk} to close was not found")
    new.pk = rows[0][0]
    new._state.adding, new._state.db = False, using
