"""The queries over lab results that pages share: the newest value of each test for any
number of people, a person page's recent draws with the newest of each test, a series."""

import functools

from django.db import connections, models
from django.db.models import F
from django.db.models.functions import RowNumber

from . import access_log, compiled, model_rows, statements


class LabResultQuerySet(models.QuerySet):
    def latest_of(self, patient_ids, analytes=None) -> dict[int, dict]:
        """The one "latest values" query: {person id: {analyte: newest result}} for any
        number of people, each result with its draw (the newest date wins, then the
        later-entered draw). The page, the emails and the report all read it."""
        found = (
            self.filter(draw__patient__in=patient_ids)
            .filter(**({"analyte__in": analytes} if analytes else {}))
            .select_related("draw")
            .annotate(
                rank=models.Window(
                    RowNumber(),
                    partition_by=[F("draw__patient_id"), F("analyte")],
                    order_by=[F("draw__drawn_on").desc(), F("draw_id").desc()],
                )
            )
            .filter(rank=1)
        )
        latest: dict[int, dict] = {pk: {} for pk in patient_ids}
        for result in found:
            latest.setdefault(result.draw.patient_id, {})[result.analyte] = result
        return latest

    def recent_and_latest(self, patient, draws: int, *, write_log_row=None):
        """A person page's results in one query, which also writes the request's access-log
        row when given one (`write_log_row`, access_log.row_ahead's): on PostgreSQL the
        statement inserts it as a WITH part, so that the page needs no INSERT and commit of
        its own (statements.one_statement; elsewhere the row is not written here, and the
        log writes it after the response). The read: every result of the newest `draws`
        draws (each draw with its results attached) and the newest result of each analyte,
        which carries its analyte's count, first day and results left out by hand (n,
        first, left_out). Returns (draws newest first, whether older draws exist,
        {analyte: result}).

        Its SQL is written once (_recent_and_latest_sql) for the manager's own rows: call it
        on LabResult.objects, as a filter in front of it would not be in the text."""
        if self.query.has_filters():
            raise ValueError("recent_and_latest reads from LabResult.objects only")
        connection = connections[self.db]
        params = [patient.pk, draws + 1, draws + 1]
        writing = ""
        if write_log_row is not None and statements.one_statement(self.db):
            writing, written = access_log.ahead_part(write_log_row, self.db)
            params = written + params
        sql, read, rank_at, log_id_at = _recent_and_latest_sql(self.model, writing)
        # Prepared on PostgreSQL: its parameters are integers, or typed by their CAST. Its
        # rows in binary format: its columns (numbers, text, days, timestamps, flags) load
        # to the same values as from text, with less parsing.
        with compiled.prepared_cursor(connection, binary=True) as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if writing:
            # The log's row is the one row without a draw's rank.
            [log_id] = [row[log_id_at] for row in rows if row[rank_at] is None]
            rows = [row for row in rows if row[rank_at] is not None]
            access_log.written_ahead(write_log_row, log_id, self.db)
        return read(rows, draws, connection, self.db)

    def ferritin_series(self, patient):
        return (
            self.filter(draw__patient=patient, analyte="ferritin")
            .select_related("draw")
            .order_by("draw__drawn_on", "draw_id")
        )


# What recent_and_latest sets on each result.
RANKS = ("draw_rank", "analyte_rank", "n", "first", "left_out")


@functools.cache
def _recent_and_latest_sql(result_model, writing=""):
    """(SQL, a reader of its rows, where in its rows the draw's rank is, where the written
    row's id is). `writing`: a WITH part that writes a row and returns its id
    (access_log.ahead_part), as one more row with no rank (NULL) and the id in the draw's
    first column; without it, the id's place is None.

    The person's draws with results are numbered newest first once (draw_rank: drawn_on,
    then the later-entered draw). Each test's results are counted with their first day and
    left-out draws, and its newest draw's number kept, by grouping (not by windows over
    every result, which sort them all twice). What comes back: the results of the newest
    draws plus one, and the newest result of each test whose newest draw is older than
    those, each with its test's numbers; and the draws of those results, each in a row of
    its own (not repeated with each of its results). Unordered: the reader sorts the few
    rows and ranks each test's results.

    Written once per process: the text holds only the models' table and column names as
    the database quotes them, the integers 0 and 1, and `writing` (a fixed text)."""
    draw_model = result_model._meta.get_field("draw").related_model
    results, draw_fields = result_model._meta.concrete_fields, draw_model._meta.concrete_fields
    quote = connections["default"].ops.quote_name
    result_table, draw_table = compiled.table(result_model), compiled.table(draw_model)

    def result(name):
        return compiled.column(result_model, name, quote("r"))

    def draw(name):
        return compiled.column(draw_model, name)

    # The draws' columns in d and the results' in p, by alias: d0, d1…, r0, r1…
    in_d = {f.name: quote(f"d{i}") for i, f in enumerate(draw_fields)}
    in_p = {f.name: quote(f"r{i}") for i, f in enumerate(results)}
    d_id, drawn_on = in_d[draw_model._meta.pk.name], in_d["drawn_on"]
    rank, best, analyte = quote("draw_rank"), quote("best"), quote("analyte")
    n, first, left_out = quote("n"), quote("first"), quote("left_out")
    # Each row's columns: a result's, its draw's rank, its test's numbers, then a draw's.
    numbers = [f"a.{n}", f"a.{first}", f"a.{left_out}"]
    rank_at = len(in_p)
    draw_at = rank_at + 1 + len(numbers)
    picked = ", ".join(f"{result(name)} AS {alias}" for name, alias in in_p.items())
    numbered = ", ".join(f"{draw(name)} AS {alias}" for name, alias in in_d.items())
    sql = (
        f"WITH {writing + ', ' if writing else ''}d AS (SELECT {numbered}, "
        f"ROW_NUMBER() OVER (ORDER BY {draw('drawn_on')} DESC, {draw('pk')} DESC) AS {rank} "
        f"FROM {draw_table} WHERE {draw('patient')} = %s "
        # Only draws with results are numbered: one without shows nowhere on the page.
        f"AND EXISTS (SELECT 1 FROM {result_table} "
        f"WHERE {compiled.column(result_model, 'draw')} = {draw('pk')})), "
        f"a AS (SELECT {result('analyte')} AS {analyte}, COUNT(*) AS {n}, "
        f"MIN(d.{drawn_on}) AS {first}, "
        f"SUM(CASE WHEN d.{in_d['left_out_reason']} = '' THEN 0 ELSE 1 END) AS {left_out}, "
        f"MIN(d.{rank}) AS {best} "
        f"FROM {result_table} {quote('r')} INNER JOIN d ON {result('draw')} = d.{d_id} "
        f"GROUP BY {result('analyte')}), "
        f"p AS (SELECT {picked}, d.{rank} AS {rank} "
        f"FROM d INNER JOIN {result_table} {quote('r')} ON {result('draw')} = d.{d_id} "
        f"WHERE d.{rank} <= %s "
        f"UNION ALL SELECT {picked}, a.{best} "
        f"FROM a INNER JOIN d ON d.{rank} = a.{best} "
        f"INNER JOIN {result_table} {quote('r')} "
        f"ON {result('draw')} = d.{d_id} AND {result('analyte')} = a.{analyte} "
        f"WHERE a.{best} > %s) "
        f"SELECT {', '.join(f'p.{alias}' for alias in in_p.values())}, p.{rank}, "
        f"{', '.join(numbers)}, {', '.join(['NULL'] * len(in_d))} "
        f"FROM p INNER JOIN a ON a.{analyte} = p.{in_p['analyte']} "
        # Each of their draws once, in a row of its own (no result: NULL in its place).
        f"UNION ALL SELECT {', '.join(['NULL'] * rank_at)}, d.{rank}, "
        f"{', '.join(['NULL'] * len(numbers))}, "
        f"{', '.join(f'd.{alias}' for alias in in_d.values())} "
        f"FROM d WHERE d.{rank} IN (SELECT p.{rank} FROM p)"
    )
    log_id_at = None
    if writing:
        # The log's id where a draw's first column is: NULL for everything else.
        log_id_at = draw_at
        logged = ["NULL"] * (draw_at + len(in_d))
        logged[log_id_at] = f'"logged".{quote(access_log.AccessLogEntry._meta.pk.column)}'
        sql += f' UNION ALL SELECT {", ".join(logged)} FROM "logged"'
    first_day = draw_model._meta.get_field("drawn_on")
    # Each column as Django reads its field (SQLite gives dates as text, for one).
    columns = [*results, None, None, first_day, None, *draw_fields]
    return (
        sql,
        functools.partial(
            _read_recent_and_latest,
            result_model,
            draw_model,
            columns,
            [field.attname for field in results],
            [field.attname for field in draw_fields],
            results.index(result_model._meta.get_field("analyte")),
        ),
        rank_at,
        log_id_at,
    )


def _converters(columns, connection):
    found = []
    for position, field in enumerate(columns):
        if field is None:
            continue
        col = field.get_col(field.model._meta.db_table)
        converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if converters:
            found.append((position, converters, col))
    return found


def _read_recent_and_latest(
    result_model,
    draw_model,
    columns,
    result_names,
    draw_names,
    analyte_at,
    rows,
    draws,
    connection,
    db,
):
    # The converters are bound to the thread's connection: found once per thread.
    converters = compiled.per_thread(
        ("recent_and_latest converters", result_model, db),
        lambda: _converters(columns, connection),
    )
    if converters:
        rows = [list(row) for row in rows]
        for row in rows:
            for position, functions, col in converters:
                value = row[position]
                for function in functions:
                    value = function(value, col, connection)
                row[position] = value
    n_results = len(result_names)
    rank_at, numbers_end = n_results, n_results + 4
    # A draw's row has no result (its id NULL) and the draw's columns.
    draw_rows = {row[rank_at]: row[numbers_end:] for row in rows if row[0] is None}
    # Newest draw first (drawn_on, then the later-entered draw), each draw's results by id.
    result_rows = [row for row in rows if row[0] is not None]
    result_rows.sort(key=lambda row: (row[rank_at], row[0]))
    set_draw = result_model.draw.field.set_cached_value
    new_result = model_rows.instance_maker(result_model, db, result_names)
    new_draw = model_rows.instance_maker(draw_model, db, draw_names)
    # One draw instance for all its results; the draw past the newest `draws` only tells
    # that there are more. Every result of a newer draw is among the rows, so counting
    # each test's results in draw order ranks them (1: the newest), as a window over all
    # of them would.
    drawn, recent, latest, counted, more = {}, [], {}, {}, False
    for row in result_rows:
        rank = row[rank_at]
        analyte = row[analyte_at]
        analyte_rank = counted[analyte] = counted.get(analyte, 0) + 1
        if rank > draws:
            more = True
            if analyte_rank != 1:
                continue
        result = new_result(row[:n_results])
        result.draw_rank, result.analyte_rank = rank, analyte_rank
        result.n, result.first, result.left_out = row[rank_at + 1 : numbers_end]
        draw = drawn.get(rank)
        if draw is None:
            draw = drawn[rank] = new_draw(draw_rows[rank])
            if rank <= draws:
                draw.preloaded_results = []
                recent.append(draw)
        set_draw(result, draw)
        if rank <= draws:
            draw.preloaded_results.append(result)
        if analyte_rank == 1:
            latest[analyte] = result
    return recent, more, latest
