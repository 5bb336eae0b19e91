"""Run a values() query whose SQL was compiled before, for a page read again and again.

Building and compiling a queryset with annotations, window aggregates and a subquery costs
Django more than PostgreSQL takes to run it. The SQL text and its parameters are a pure
function of what the query was built from, never of the data, so a caller that names
everything it builds from in `key` can reuse them: same key, same SQL, run afresh against
the database each time (nothing read is kept). Each thread keeps its own, as each has its
own database connection.
"""

import threading

from django.core.exceptions import EmptyResultSet
from django.db import connections

# Statements per thread; a full set is dropped whole and compiled again. Each search text
# and page number typed is a statement of its own, so this alone bounds the memory.
KEPT = 64

_local = threading.local()


def values_rows(key, build):
    """The rows of `build()` (a sliced values() queryset) as dicts, as list(build()) gives
    them; `build` is called only when `key` was not compiled in this thread before."""
    kept = _local.__dict__.setdefault("kept", {})
    entry = kept.get(key)
    if entry is None:
        queryset = build()
        query = queryset.query
        compiler = query.get_compiler(queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # a filter that nothing can match
            return []
        fields = [s[0] for s in compiler.select[: compiler.col_count]]
        # As django.db.models.query.ValuesIterable names the columns.
        if query.selected:
            names = list(query.selected)
        else:
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
        entry = (queryset.db, sql, params, compiler, compiler.get_converters(fields), names)
        if len(kept) >= KEPT:
            kept.clear()
        kept[key] = entry
    alias, sql, params, compiler, converters, names = entry
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if converters:
        rows = compiler.apply_converters(rows, converters)
    return [dict(zip(names, row, strict=True)) for row in rows]
