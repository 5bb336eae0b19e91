"""The queries over lab results that pages share: the newest value of each test for any
number of people, a person page's recent draws with the newest of each test, a series."""

import functools

from django.db import connections, models
from django.db.models import F
from django.db.models.functions import RowNumber

from . import compiled


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

    def recent_and_latest(self, patient, draws: int):
        """A person page's results in one query: every result of the newest `draws` draws
        (each draw with its results attached) and the newest result of each analyte, which
        carries its analyte's count, first day and results left out by hand (n, first,
        left_out). Returns (draws newest first, whether older draws exist, {analyte: result}).

        Its SQL is written once (_recent_and_latest_sql) for the manager's own rows: call it
        on LabResult.objects, as a filter in front of it would not be in the text."""
        if self.query.has_filters():
            raise ValueError("recent_and_latest reads from LabResult.objects only")
        sql, read = _recent_and_latest_sql(self.model)
        connection = connections[self.db]
        # Prepared on PostgreSQL: its two parameters are integers.
        with compiled.prepared_cursor(connection) as cursor:
            cursor.execute(sql, [patient.pk, draws + 1])
            rows = cursor.fetchall()
        return read(rows, draws, connection, self.db)

    def ferritin_series(self, patient):
        return (
            self.filter(draw__patient=patient, analyte="ferritin")
            .select_related("draw")
            .order_by("draw__drawn_on", "draw_id")
        )


# What recent_and_latest sets on each result, in the order the statement gives them.
RANKS = ("draw_rank", "analyte_rank", "n", "first", "left_out")


@functools.cache
def _recent_and_latest_sql(result_model):
    """(SQL, a reader of its rows). The person's draws with results are numbered newest
    first once (draw_rank: drawn_on, then the later-entered draw); each result's analyte
    is ranked by that number and counted; only the newest result of each analyte and the
    results of the newest draws plus one come back, each with its draw's columns.
    Unordered: the reader sorts the few rows.

    Written once per process: the text holds only the models' table and column names as
    the database quotes them, and the integers 0 and 1."""
    draw_model = result_model._meta.get_field("draw").related_model
    results, draw_fields = result_model._meta.concrete_fields, draw_model._meta.concrete_fields
    quote = connections["default"].ops.quote_name

    def column(model, name, alias):
        return compiled.column(model, name, quote(alias))

    def draw(name):
        return compiled.column(draw_model, name)

    aliases = [quote(f"r{i}") for i in range(len(results))]
    draw_alias = aliases[results.index(result_model._meta.get_field("draw"))]
    inner = ", ".join(
        f"{column(result_model, field.name, 'r')} AS {alias}"
        for field, alias in zip(results, aliases, strict=True)
    )
    by_analyte = f"PARTITION BY {column(result_model, 'analyte', 'r')}"
    n, first, left_out = quote("n"), quote("first"), quote("left_out")
    draw_rank, analyte_rank = quote("draw_rank"), quote("analyte_rank")
    sql = (
        f"WITH d AS (SELECT {draw('pk')} AS id, {draw('drawn_on')} AS drawn_on, "
        f"{draw('left_out_reason')} AS left_out_reason, "
        f"ROW_NUMBER() OVER (ORDER BY {draw('drawn_on')} DESC, {draw('pk')} DESC) "
        f"AS {draw_rank} FROM {compiled.table(draw_model)} WHERE {draw('patient')} = %s "
        # Only draws with results are numbered: one without shows nowhere on the page.
        f"AND EXISTS (SELECT 1 FROM {compiled.table(result_model)} "
        f"WHERE {compiled.column(result_model, 'draw')} = {draw('pk')})) "
        f"SELECT {', '.join(f'x.{alias}' for alias in aliases)}, "
        f"{', '.join(f'x.{quote(name)}' for name in RANKS)}, "
        f"{', '.join(column(draw_model, field.name, 'dr') for field in draw_fields)} "
        f"FROM (SELECT {inner}, d.{draw_rank}, "
        f"ROW_NUMBER() OVER ({by_analyte} ORDER BY d.{draw_rank}) AS {analyte_rank}, "
        f"COUNT(*) OVER ({by_analyte}) AS {n}, "
        f"MIN(d.drawn_on) OVER ({by_analyte}) AS {first}, "
        f"SUM(CASE WHEN d.left_out_reason = '' THEN 0 ELSE 1 END) OVER ({by_analyte}) "
        f"AS {left_out} "
        f"FROM {compiled.table(result_model)} {quote('r')} "
        f"INNER JOIN d ON {column(result_model, 'draw', 'r')} = d.id) x "
        f"INNER JOIN {compiled.table(draw_model)} {quote('dr')} "
        f"ON {column(draw_model, 'pk', 'dr')} = x.{draw_alias} "
        f"WHERE x.{analyte_rank} = 1 OR x.{draw_rank} <= %s"
    )
    first_day = draw_model._meta.get_field("drawn_on")
    # Each column as Django reads its field (SQLite gives dates as text, for one).
    columns = [*results, *(None,) * 3, first_day, None, *draw_fields]
    n_results = len(results)
    return sql, functools.partial(
        _read_recent_and_latest,
        result_model,
        draw_model,
        columns,
        [field.attname for field in results],
        [field.attname for field in draw_fields],
        n_results,
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
    n_results,
    rows,
    draws,
    connection,
    db,
):
    converters = _converters(columns, connection)
    if converters:
        rows = [list(row) for row in rows]
        for row in rows:
            for position, functions, col in converters:
                value = row[position]
                for function in functions:
                    value = function(value, col, connection)
                row[position] = value
    draw_rank = n_results
    # Newest draw first (drawn_on, then the later-entered draw), each draw's results by id.
    rows.sort(key=lambda row: (row[draw_rank], row[0]))
    ranks_end, set_draw = n_results + len(RANKS), result_model.draw.field.set_cached_value
    # One draw instance for all its results (a row per result repeats the draw's
    # columns); the draw past the newest `draws` only tells that there are more.
    drawn, recent, latest, more = {}, [], {}, False
    for row in rows:
        rank = row[draw_rank]
        newest = row[draw_rank + 1] == 1
        if rank > draws:
            more = True
            if not newest:
                continue
        result = result_model.from_db(db, result_names, row[:n_results])
        for name, value in zip(RANKS, row[n_results:ranks_end], strict=True):
            setattr(result, name, value)
        draw = drawn.get(rank)
        if draw is None:
            draw = drawn[rank] = draw_model.from_db(db, draw_names, row[ranks_end:])
            if rank <= draws:
                draw.preloaded_results = []
                recent.append(draw)
        set_draw(result, draw)
        if rank <= draws:
            draw.preloaded_results.append(result)
        if newest:
            latest[result.analyte] = result
    return recent, more, latest
