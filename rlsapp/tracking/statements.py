"""Writes that PostgreSQL runs together as one statement.

A write that takes several statements (a row and its history, closing a row and inserting
the next, an upsert and the person's data version) pays a round trip and a parse for
each. PostgreSQL runs data-modifying statements in WITH: the writes are written here as
Django compiles them (so every value goes through the field's own preparation, exactly as
save() or bulk_create() would send it) and joined into one. Other databases (SQLite) run
the same statements one by one: the callers keep that path.
"""

import functools
from dataclasses import dataclass

from django.db import connections
from django.db.models import Field
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery

from . import compiled


def one_statement(using="default") -> bool:
    """Whether the database runs data-modifying statements inside WITH."""
    return connections[using].vendor == "postgresql"


@dataclass(frozen=True)
class Column:
    field: Field
    name: str  # quoted
    placeholder: str  # typed: CAST(%s AS ...), so a SELECT's values have the column's type


@dataclass(frozen=True)
class Layout:
    table: str  # quoted
    pk: str  # the primary key's column, quoted
    columns: tuple  # every concrete field's Column, as save() writes them
    inserted: tuple  # the same without an automatic primary key

    def names(self, columns) -> str:
        return ", ".join(c.name for c in columns)


@functools.cache
def layout(model, using="default") -> Layout:
    """The model's table, columns and typed placeholders: fixed by the schema, so made once
    per process (quoting and type names cost more than writing the statement)."""
    connection = connections[using]
    quote, opts = connection.ops.quote_name, model._meta
    columns = tuple(
        Column(f, quote(f.column), f"CAST(%s AS {f.cast_db_type(connection)})")
        for f in opts.local_concrete_fields
    )
    return Layout(
        table=quote(opts.db_table),
        pk=quote(opts.pk.column),
        columns=columns,
        inserted=tuple(c for c in columns if c.field is not opts.auto_field),
    )


def insert(model, objs, fields=None, *, returning=None, upsert_on=None, using="default"):
    """Django's INSERT of `objs` (`fields`: every concrete field but an automatic primary
    key) as (sql, params); `upsert_on` (field names) makes it update every other field of
    a row that conflicts on them, as bulk_create(update_conflicts=True) does; `returning`
    (fields) adds RETURNING on databases that have it."""
    opts = model._meta
    if fields is None:
        fields = [f for f in opts.local_concrete_fields if f is not opts.auto_field]
    on_conflict = update_fields = unique_fields = None
    if upsert_on:
        on_conflict = OnConflict.UPDATE
        unique_fields = [opts.get_field(name) for name in upsert_on]
        update_fields = [f for f in fields if f not in unique_fields and not f.primary_key]
    query = InsertQuery(
        model, on_conflict=on_conflict, update_fields=update_fields, unique_fields=unique_fields
    )
    query.insert_values(fields, objs)
    compiler = query.get_compiler(using=using)
    if returning and connections[using].features.can_return_columns_from_insert:
        compiler.returning_fields = returning
    [(sql, params)] = compiler.as_sql()
    return sql, list(params)


def run(sql, params, using="default", *, prepared=False):
    """Run one statement; its rows, if it returns any. `prepared`: as a prepared statement
    on PostgreSQL (compiled.prepared_cursor), for a statement whose text is the same on
    every run and whose parameters are all typed (a CAST, or compared with a column)."""
    connection = connections[using]
    with compiled.prepared_cursor(connection) if prepared else connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []
