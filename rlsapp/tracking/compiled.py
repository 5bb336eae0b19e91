"""Queries whose SQL is written once per thread and run afresh on every request.

Compiling a queryset (annotations, window functions, joins) costs Django more than the
database takes to run it, and pages ask the same few queries again and again. The SQL and
its parameters are a pure function of how the query is built, never of the data, so the
text is kept and only run again; nothing read is kept. Two ways in:

- rows(key, build): a Statement built from everything `key` names (the worklist: the
  account, the day, what was asked), its rows as dicts. On PostgreSQL it is also prepared
  on the server (once per connection, which CONN_MAX_AGE keeps), so it is planned once.
  Django leaves psycopg's prepared statements off for its own queries (a pooler in
  transaction mode, such as PgBouncer before 1.21, cannot route a prepared statement to
  the session that prepared it); settings.PREPARED_STATEMENTS = False turns ours off too.
- instances(key, build, **ids): a queryset built once with stand-in ids and run with each
  request's ids (the person's, the account's) in their places, as model instances (the
  person lookup, the person page). These run on Django's own cursor unless the caller
  passes prepared=True: SQL Django compiled for its client-side binding is not always
  valid with the server's (a text parameter in the select list or a CASE result has no
  type the server can tell), so only a query whose parameters are all typed (ids,
  Django's wrapped integers, text compared with a column) may be prepared, and each
  caller that does is tested on PostgreSQL. together(key, builds, **ids) reads several
  such querysets of the same ids in one statement (the person page's records).
"""

import dataclasses
import functools
import operator
import re
import sys
import threading
from datetime import date

from django.conf import settings
from django.db import connections
from django.db.models import BigIntegerField, Window
from django.db.models.functions import RowNumber
from django.db.models.query import get_related_populators

from . import model_rows

try:
    import psycopg
except ImportError:  # only SQLite in use
    psycopg = None

# Statements per thread; a full set is dropped whole and compiled again. Each search text
# and page number typed is a statement of its own, so this alone bounds the memory.
KEPT = 64

# Ids no row has, to find where each id goes in the parameters.
STAND_INS = (-7_305_219_871, -7_305_219_872, -7_305_219_873)

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

_local = threading.local()


def table(model) -> str:
    """A model's table as the database quotes it, for SQL written by hand."""
    return connections["default"].ops.quote_name(model._meta.db_table)


def column(model, name: str, qualifier: str | None = None) -> str:
    """A field's column ('pk': the primary key's) as the database quotes it, qualified by
    `qualifier` (a table alias) or else by the model's own table."""
    meta = model._meta
    name = meta.pk.column if name == "pk" else meta.get_field(name).column
    quoted = connections["default"].ops.quote_name(name)
    return f"{qualifier or table(model)}.{quoted}"


def as_date(value):
    """A date read by hand-written SQL: SQLite hands a date back as text where it cannot
    tell the column's type (a UNION's later branch, an expression)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _kept(key, make):
    """What `make()` gives, made once per thread for `key` (each thread has its own
    database connection)."""
    kept = _local.__dict__.setdefault("kept", {})
    if key not in kept:
        if len(kept) >= KEPT:
            kept.clear()
        kept[key] = make()
    return kept[key]


def per_thread(key, make):
    """What `make()` gives, made once per thread for `key`: for what is bound to the
    thread's connection (its backend's converters), kept with the statements."""
    return _kept(("per thread", key), make)


@dataclasses.dataclass(frozen=True)
class Statement:
    """SQL written by hand, ready to run: `names` name its columns (the worklist's page)."""

    alias: str
    sql: str
    params: tuple
    names: tuple


def rows(key, build):
    """The rows of the Statement `build()` gives, as dicts; `build` is called only when
    `key` was not compiled in this thread before."""
    statement = _kept(("rows", key), build)
    with prepared_cursor(connections[statement.alias]) as cursor:
        cursor.execute(statement.sql, statement.params)
        found = cursor.fetchall()
    names = statement.names
    return [dict(zip(names, row, strict=True)) for row in found]


if psycopg is not None:
    # PostgreSQL's refusal of a prepared statement whose result columns changed type.
    STALE_PLAN = "cached plan must not change result type"

    from psycopg import _queries

    # psycopg rewrites a query's %s into $1... again on every run when the text is over 4 KB
    # or has over 50 parameters (its cache leaves out ORM texts of varying length); ours are
    # fixed, so their rewriting is kept (bounded; read-only, as psycopg shares its own).
    _rewritten = functools.lru_cache(maxsize=256)(_queries._query2pg_nocache)

    class _KeptQuery(_queries.PostgresQuery):
        def convert(self, query, vars):
            if vars is None or not isinstance(query, (str, bytes)):
                return super().convert(query, vars)
            query = self._ensure_bytes(query)
            converted = _rewritten(query, self._tx.encoding)
            self.query, self._want_formats, self._order, self._parts = converted
            self.dump(vars)

    class PreparedCursor(psycopg.Cursor):
        """Binds parameters on the server and runs each query as a prepared statement (psycopg
        keeps the names per connection, a bounded number, and prepares again after a
        reconnect or rollback that dropped them)."""

        # Set by prepared_cursor: Django's connection (closed after a stale plan), binary rows.
        django_connection, binary = None, False
        _query_cls = _KeptQuery

        def execute(self, query, params=None, *, prepare=None, binary=None):
            connection = self.connection
            # Django sets the threshold to None, which turns preparing off altogether; a
            # count no query reaches lets prepare=True through and prepares nothing else.
            threshold = connection.prepare_threshold
            connection.prepare_threshold = sys.maxsize
            try:
                return super().execute(query, params, prepare=True, binary=binary or self.binary)
            except psycopg.errors.FeatureNotSupported as error:
                if STALE_PLAN in str(error) and self.django_connection is not None:
                    # A column it reads changed type (a migration run by another process)
                    # after it was prepared: the server refuses it from now on, on this
                    # connection. Drop the connection at the request's end (Django's
                    # close_if_unusable_or_obsolete) so the next request prepares it again.
                    self.django_connection.close_at = 0
                raise
            finally:
                connection.prepare_threshold = threshold

        def _send_query_prepared(self, name, pgq, *, binary=None):
            # Django's query log reads the query from _query, which psycopg sets only when
            # it sends the text; a prepared statement is logged as prepared ($1 for each
            # parameter).
            self._query = pgq
            super()._send_query_prepared(name, pgq, binary=binary)


def prepared_cursor(connection, binary=False):
    """A cursor as connection.cursor() gives it (checked, wrapped, and logged or counted
    like any other), that prepares on PostgreSQL. `binary`: rows in binary format (less to
    parse), for columns that load the same both ways (not json or inet: Django reads text)."""
    if (
        psycopg is None
        or connection.vendor != "postgresql"
        or not getattr(settings, "PREPARED_STATEMENTS", True)
    ):
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        cursor = PreparedCursor(connection.connection)
    cursor.django_connection, cursor.binary = connection, binary
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


def _is_date(value):
    # SQLite's backend passes dates on as ISO text.
    return isinstance(value, date) or (isinstance(value, str) and ISO_DAY.match(value))


def _places(key, params, stand_ins):
    """Where each id goes in `params`, which must hold every id and no date."""
    places = {
        name: [i for i, value in enumerate(params) if value == stand_in]
        for name, stand_in in stand_ins.items()
    }
    if not all(places.values()):
        raise ValueError(f"{key}: the query does not use every id it was built with")
    if any(_is_date(value) for value in params):
        # A date (today, a deadline) would be kept with the text and go stale.
        raise ValueError(f"{key}: the query holds a date")
    return places


def _with_ids(params, places, ids):
    params = list(params)
    for name, positions in places.items():
        for i in positions:
            params[i] = ids[name]
    return params


def _compiled(key, build, names):
    def compile_with_stand_ins():
        stand_ins = dict(zip(names, STAND_INS, strict=False))
        queryset = build(**stand_ins)
        compiler = queryset.query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
        places = _places(key, params, stand_ins)
        # Found with the SQL: they are bound to this thread's connection, as it is.
        converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
        return queryset, compiler, sql, tuple(params), places, converters

    return _kept(("instances", key), compile_with_stand_ins)


@dataclasses.dataclass(frozen=True)
class Found:
    """A compiled queryset's rows, converted as Django converts them, and its compiler
    (klass_info, select, annotation_col_map say which columns make which instance)."""

    rows: list
    compiler: object
    db: str
    # The annotations to set, by column (the compiler's, by default).
    annotations: dict | None = None

    def instances(self) -> list:
        """As Django's ModelIterable makes them: the query's model with its select_related
        objects and annotations."""
        compiler, db = self.compiler, self.db
        klass_info = compiler.klass_info
        annotations = (
            compiler.annotation_col_map if self.annotations is None else self.annotations
        ).items()
        model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        names = [column[0].target.attname for column in compiler.select[start:end]]
        make = model_rows.instance_maker(model, db, names)
        populators = get_related_populators(klass_info, compiler.select, db)
        found = []
        for row in self.rows:
            obj = make(row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found


def _found(key, build, *, prepared=False, **ids) -> Found:
    """The rows of the queryset `build` makes for these ids, which must differ by the ids
    alone (at most three); `key` names the query. `prepared`: run as a prepared statement
    on PostgreSQL (see the module's notes for which queries may be)."""
    if len(ids) > len(STAND_INS):
        raise ValueError("at most three ids")
    queryset, compiler, sql, params, places, converters = _compiled(key, build, sorted(ids))
    params = _with_ids(params, places, ids)
    db = queryset.db
    connection = connections[db]
    with prepared_cursor(connection) if prepared else connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # As SQLCompiler.results_iter reads them.
    if compiler.has_extra_select:
        rows = [row[: compiler.col_count] for row in rows]
    if converters:
        rows = list(compiler.apply_converters(rows, converters))
    return Found(rows, compiler, db)


def instances(key, build, *, prepared=False, **ids) -> list:
    """list(build(**ids)): the model instances (with their select_related objects and
    annotations) of the queryset `build` makes for these ids, which must differ by the
    ids alone (at most three). `key` names the query; prefetch_related is not applied
    (call prefetch_related_objects on the result). `prepared`: run as a prepared statement
    on PostgreSQL (see the module's notes for which queries may be)."""
    return _found(key, build, prepared=prepared, **ids).instances()


# Each branch's row order, as an annotation of its own query (see together()).
ORDER = "compiled_order"


@dataclasses.dataclass(frozen=True)
class _Branch:
    name: str
    compiler: object
    pick: object  # its columns from a row of the statement, in its own order
    converters: dict
    annotations: dict


@dataclasses.dataclass(frozen=True)
class _Union:
    alias: str
    sql: str
    params: tuple
    places: dict
    branches: tuple


def together(key, builds: dict, *, prepared=False, binary=False, **ids) -> dict[str, list]:
    """{name: list(build(**ids))} for each of `builds`, querysets of the same ids, read
    in one statement instead of one each: a UNION ALL of the queries, each row with its
    query's number and its place in that query's order, then the query's columns, NULL
    in the others (queries share the columns of a type, so a row is as wide as the
    queries need, not as all of them together). Instances as instances() gives them;
    `prepared` as for instances() (the statement holds the queries' parameters and
    nothing else), `binary` as for prepared_cursor()."""
    if len(ids) > len(STAND_INS):
        raise ValueError("at most three ids")
    union = _kept(("together", key), lambda: _union(key, builds, sorted(ids)))
    connection = connections[union.alias]
    with prepared_cursor(connection, binary) if prepared else connection.cursor() as cursor:
        cursor.execute(union.sql, _with_ids(union.params, union.places, ids))
        rows = cursor.fetchall()
    by_branch = [[] for _ in union.branches]
    for row in rows:
        by_branch[row[0]].append(row)
    found = {}
    for branch, branch_rows in zip(union.branches, by_branch, strict=True):
        compiler = branch.compiler
        branch_rows = [branch.pick(row) for row in branch_rows]
        if branch.converters:
            branch_rows = list(compiler.apply_converters(branch_rows, branch.converters))
        found[branch.name] = Found(
            branch_rows, compiler, union.alias, branch.annotations
        ).instances()
    return found


def as_prefetched(instances, name, found) -> None:
    """Each of `instances` given its reverse foreign key `name` from `found` (that
    relation's rows for all of them, in its order, read by a branch of together()), as
    prefetch_related_objects(instances, name) leaves them: each row's foreign key cached,
    and `instance.<name>.all()` a queryset already evaluated."""
    if not instances:
        return
    field = getattr(type(instances[0]), name).field  # the foreign key, on the rows' model
    owners = {instance.pk: instance for instance in instances}
    rows = {pk: [] for pk in owners}
    for row in found:
        owner = getattr(row, field.attname)
        field.set_cached_value(row, owners[owner])
        rows[owner].append(row)
    cache_name = field.remote_field.cache_name
    for instance in instances:
        # As django.db.models.query.prefetch_one_level sets it.
        queryset = getattr(instance, name).get_queryset()
        queryset._result_cache = rows[instance.pk]
        queryset._prefetch_done = True
        instance.__dict__.setdefault("_prefetched_objects_cache", {})[cache_name] = queryset


def _union(key, builds, names):
    stand_ins = dict(zip(names, STAND_INS, strict=False))
    parts, alias = [], None
    for name, build in builds.items():
        queryset = build(**stand_ins)
        query = queryset.query
        if not query.standard_ordering or query.distinct or query.combinator:
            # The row number below follows the ordering as written (reverse() flips it
            # only when compiled), would make DISTINCT keep every row, and a combined
            # query has no columns of its own to number.
            raise ValueError(f"{key}: {name} is reversed, distinct or combined")
        # Numbered in the query's own order: the rows of a UNION come in no set order.
        ordering = list(query.order_by or queryset.model._meta.ordering) or ["pk"]
        # Typed as ROW_NUMBER() gives it, so that no branch's column needs converting.
        number = Window(RowNumber(), order_by=ordering, output_field=BigIntegerField())
        queryset = queryset.annotate(**{ORDER: number})
        if alias not in (None, queryset.db):
            raise ValueError(f"{key}: the queries read different databases")
        alias = queryset.db
        compiler = queryset.query.get_compiler(alias)
        # Column aliases, to select the query's columns by name from outside it.
        sql, params = compiler.as_sql(with_col_aliases=True)
        if compiler.has_extra_select:
            raise ValueError(f"{key}: {name} orders by what it does not select")
        _places(f"{key}: {name}", params, stand_ins)  # each query on its own
        parts.append((name, compiler, sql, params))
    connection = connections[alias]
    quote = connection.ops.quote_name

    def null(db_type):
        # PostgreSQL types a UNION's column from its branches, so each NULL says its type;
        # SQLite types values, not columns.
        return "NULL" if connection.vendor == "sqlite" else f"CAST(NULL AS {db_type})"

    # Each query's columns placed in the statement's: on PostgreSQL a column of a type
    # another query also has shares that query's place (the first of its type the query
    # left free); each column's type, and so how it is read, is the same. Not on SQLite,
    # whose driver converts a UNION's column by the first query's declared type.
    share = connection.vendor == "postgresql"
    types, placed = [], []
    for _name, compiler, _sql, _params in parts:
        taken, places = set(), {}
        for select in compiler.select:
            db_type = select[0].output_field.cast_db_type(connection)
            free = (i for i, t in enumerate(types) if share and t == db_type and i not in taken)
            place = next(free, None)
            if place is None:
                place = len(types)
                types.append(db_type)
            taken.add(place)
            places[place] = select[2]
        placed.append(places)
    selects, branches, all_params = [], [], []
    for number, (name, compiler, sql, params) in enumerate(parts):
        places = placed[number]
        listed = ", ".join(
            f"t.{quote(places[place])}" if place in places else null(db_type)
            for place, db_type in enumerate(types)
        )
        selects.append(f"SELECT {number}, t.{quote(ORDER)}, {listed} FROM ({sql}) t")
        converters = compiler.get_converters([select[0] for select in compiler.select])
        converters.pop(compiler.annotation_col_map[ORDER], None)  # the row number: on no instance
        annotations = {k: v for k, v in compiler.annotation_col_map.items() if k != ORDER}
        # After the query's number and order; in the query's own order of columns.
        positions = [2 + place for place in places]
        if len(positions) > 1:
            pick = operator.itemgetter(*positions)
        else:
            pick = operator.itemgetter(slice(positions[0], positions[0] + 1))
        branches.append(_Branch(name, compiler, pick, converters, annotations))
        all_params.extend(params)
    sql = " UNION ALL ".join(selects) + " ORDER BY 1, 2"
    places = _places(key, all_params, stand_ins)
    return _Union(alias, sql, tuple(all_params), places, tuple(branches))
