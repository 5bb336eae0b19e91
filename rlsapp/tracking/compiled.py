"""Model queries whose SQL is written once per thread and run afresh with each request's ids.

Compiling a queryset (annotations, window functions, joins) costs Django more than the
database takes to run it, and a page asks the same few queries for whichever person it
shows. The SQL and its parameters are a pure function of how the query is built, never of
the data: built once with stand-in ids, the text is kept and run with the request's ids
(the person's, the account's) in the stand-ins' places. Nothing read is kept; every call
runs the query.
"""

import re
import threading
from datetime import date

from django.db import connections
from django.db.models.query import get_related_populators

# Ids no row has, to find where each id goes in the parameters.
STAND_INS = (-7_305_219_871, -7_305_219_872, -7_305_219_873)

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

_local = threading.local()


def _is_date(value):
    # SQLite's backend passes dates on as ISO text.
    return isinstance(value, date) or (isinstance(value, str) and ISO_DAY.match(value))


def _compiled(key, build, names):
    kept = _local.__dict__.setdefault("kept", {})
    entry = kept.get(key)
    if entry is None:
        stand_ins = dict(zip(names, STAND_INS, strict=False))
        queryset = build(**stand_ins)
        compiler = queryset.query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
        places = {
            name: [i for i, value in enumerate(params) if value == stand_in]
            for name, stand_in in stand_ins.items()
        }
        if not all(places.values()):
            raise ValueError(f"{key}: the query does not use every id it was built with")
        if any(_is_date(value) for value in params):
            # A date (today, a deadline) would be kept with the text and go stale.
            raise ValueError(f"{key}: the query holds a date")
        entry = kept[key] = (queryset, compiler, sql, tuple(params), places)
    return entry


def instances(key, build, **ids) -> list:
    """list(build(**ids)): the model instances (with their select_related objects and
    annotations) of the queryset `build` makes for these ids, which must differ by the
    ids alone (at most three). `key` names the query; prefetch_related is not applied
    (call prefetch_related_objects on the result)."""
    if len(ids) > len(STAND_INS):
        raise ValueError("at most three ids")
    queryset, compiler, sql, params, places = _compiled(key, build, sorted(ids))
    params = list(params)
    for name, positions in places.items():
        for i in positions:
            params[i] = ids[name]
    db = queryset.db
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # As Django's ModelIterable and SQLCompiler.results_iter turn rows into instances.
    if compiler.has_extra_select:
        rows = [row[: compiler.col_count] for row in rows]
    converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
    if converters:
        rows = list(compiler.apply_converters(rows, converters))
    klass_info, annotations = compiler.klass_info, compiler.annotation_col_map
    model = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    names = [column[0].target.attname for column in compiler.select[start:end]]
    populators = get_related_populators(klass_info, compiler.select, db)
    found = []
    for row in rows:
        obj = model.from_db(db, names, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        for name, position in annotations.items():
            setattr(obj, name, row[position])
        found.append(obj)
    return found
