"""The lab form's reading of what a person types, by the account's region (issue 11).

The rules are in rlsapp.domain (formats, entry); this module turns them into form
fields and questions: a date typed in the region's format, results read by its number
rules, and the questions a person answers before anything is saved (a number the other
convention reads differently, an unusual value or a likely wrong unit, a second draw on
the same day). Every answer names the text it answers, so an answer given for one text
never carries over to another typed later.
"""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal

from django import forms
from django.db import connection
from django.utils.html import format_html, format_html_join

from rlsapp.domain import entry, formats, units
from rlsapp.domain.regions import Region

from . import compiled, model_rows
from .models import LabDraw, LabResult
from .templatetags.links import linker

SEP = "|"


class RegionDateInput(forms.TextInput):
    """A text box showing the date the region's way; the browser's locale plays no part."""

    def __init__(self, region: Region, attrs=None):
        attrs = {
            "placeholder": region.dates.pattern,
            "autocomplete": "off",
            "spellcheck": "false",
            **(attrs or {}),
        }
        super().__init__(attrs)
        self.region = region

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return formats.format_date(value, self.region)
        return super().format_value(value)


class RegionDateField(forms.Field):
    """A date typed as ISO or in the region's format; an error keeps the text typed.
    `ahead`: a field that takes only days to come (formats.parse_date). `asked`: what an
    empty field is asked for ('the date on the report' only where there is one: an
    infusion's date or a symptom score's is not read off a report)."""

    def __init__(self, *, region: Region, ahead: bool = False, asked="the date", **kwargs):
        kwargs.setdefault("widget", RegionDateInput(region))
        kwargs.setdefault("help_text", f"As {formats.date_hint(region)}.")
        super().__init__(**kwargs)
        self.region, self.ahead = region, ahead
        self.error_messages["required"] = (
            f"{kwargs.get('label') or 'Date'}: enter {asked}, as {formats.date_hint(region)}."
        )

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value
        try:
            return formats.parse_date(str(value), self.region, ahead=self.ahead)
        except formats.DateFormatError as error:
            raise forms.ValidationError(f"{self.label}: {error}", code="invalid") from None


class PastEntries:
    """What the draw form needs of a person's earlier draws, read in one query, however long
    the history: the unit each analyte was last typed in (for the person, and per lab), and
    the draws of one day with their results (a second draw that day is asked about).

    For the units each analyte, lab and unit keeps its newest two typed results: the newest
    overall is among them, and an edit can still leave its own draw out. Labs match by name
    whatever the case and the spaces around it. Of a day's draws the first SAME_DAY_LIMIT
    are read (`more_same_day` says there are others): a day holds one or two, and a day
    that somehow gathered hundreds must not make each further save slower.
    """

    SAME_DAY_LIMIT = 10

    RESULT_FIELDS = ("id", "analyte", "value", "comparator", "entered_value", "entered_unit")

    def __init__(self, patient, day: datetime.date | None = None, exclude_draw=None):
        self.day = day
        self.exclude_draw = exclude_draw
        # (lab casefolded, analyte, unit, draw id) of typed results with a known unit, newest first.
        self.typed: list[tuple[str, str, str, int]] = []
        self.same_day: list[LabDraw] = []
        self.more_same_day = False
        if patient is None or patient.pk is None:
            return
        # Prepared on PostgreSQL: planned once per connection (ids, a day, a count).
        with compiled.prepared_cursor(connection) as cursor:
            cursor.execute(*_past_query(patient.pk, day, exclude_draw, self.SAME_DAY_LIMIT))
            rows = cursor.fetchall()
        draws: dict[int, LabDraw] = {}
        # (day, draw id, lab, analyte, unit) of typed results, sorted newest first below.
        typed = []
        # The day's results are read whole (every column of theirs): made as read rows, not
        # through __init__, which costs several times more (a day may list ten draws).
        make_result = model_rows.instance_maker(LabResult, connection.alias, _RESULT_COLUMNS)
        # A day's draws as read with only the columns the form shows of them (the others
        # deferred): from_db takes them as they are, where LabDraw(...) sets each keyword.
        make_draw = functools.partial(LabDraw.from_db, connection.alias, _DRAW_COLUMNS)
        for part, pk, drawn_on, lab, calculated, *values, newest, other in rows:
            analyte, unit = values[1], values[5]
            if part == _NEWEST:
                # A lab, analyte and unit's newest typed result, and its newest of another
                # draw than the one edited: what the units rest on (see _past_sql).
                if analyte in units.ANALYTES and unit in units.ANALYTES[analyte].units:
                    for key in (newest, other) if other != newest else (newest,):
                        if key is not None:
                            typed.append((_EPOCH + _ONE_DAY * key[0], key[1], lab, analyte, unit))
                continue
            drawn_on = compiled.as_date(drawn_on)
            if calculated is not None:  # SQLite gives 0 or 1
                calculated = bool(calculated)
            if (
                calculated is not None
                and not calculated
                and analyte in units.ANALYTES
                and unit in units.ANALYTES[analyte].units
            ):
                typed.append((drawn_on, pk, lab, analyte, unit))
            if day is None or drawn_on != day or pk == exclude_draw:
                continue
            draw = draws.get(pk)
            if draw is None:
                draw = draws[pk] = make_draw((pk, patient.pk, drawn_on, lab))
                draw._state.fields_cache["patient"] = patient
                draw.preloaded_results = []
            if values[0] is not None:  # a draw without results has one row of nulls
                result = make_result((values[0], pk, *values[1:], calculated))
                result._state.fields_cache["draw"] = draw
                draw.preloaded_results.append(result)
        # Newest first (sort is stable: a draw's results stay in the order read).
        typed.sort(key=lambda t: (t[0], t[1]), reverse=True)
        self.typed = [((lab or "").strip().casefold(), a, u, pk) for _, pk, lab, a, u in typed]
        self.same_day = sorted(draws.values(), key=lambda d: d.pk)[: self.SAME_DAY_LIMIT + 1]
        self.more_same_day = len(self.same_day) > self.SAME_DAY_LIMIT
        del self.same_day[self.SAME_DAY_LIMIT :]

    def units(self, region: Region, lab_name: str = "") -> dict[str, str]:
        """The unit each analyte was last entered in (from this lab, when one is named and
        has printed it), else the region's default."""
        chosen = {code: region.default_unit(code) for code in units.ANALYTES}
        by_person: dict[str, str] = {}
        by_lab: dict[str, str] = {}
        lab = lab_name.strip().casefold()
        for row_lab, analyte, unit, _ in self.typed:
            by_person.setdefault(analyte, unit)
            if lab and row_lab == lab:
                by_lab.setdefault(analyte, unit)
        return chosen | by_person | by_lab

    def lab_units(self, lab_name: str) -> dict[str, str]:
        """The unit each analyte was last entered in from this lab, the draw being edited
        left out."""
        lab = lab_name.strip().casefold()
        found: dict[str, str] = {}
        if lab:
            for row_lab, analyte, unit, draw_id in self.typed:
                if row_lab == lab and draw_id != self.exclude_draw:
                    found.setdefault(analyte, unit)
        return found


# A result's columns as model_rows.instance_maker takes them: RESULT_FIELDS with the draw's
# id after the result's and `calculated` last.
_RESULT_COLUMNS = ("id", "draw_id", *PastEntries.RESULT_FIELDS[1:], "calculated")
_DRAW_COLUMNS = ("id", "patient_id", "drawn_on", "lab_name")


# What a row of PastEntries' query is: a lab, analyte and unit's newest typed results (on
# PostgreSQL), or a result with its draw (a typed one, or one of the day's draws).
_NEWEST, _RESULT = 0, 1
# The newest results are named by their day's number from here and their draw's id.
_EPOCH, _ONE_DAY = datetime.date(2000, 1, 1), datetime.timedelta(days=1)


@functools.cache
def _past_sql(with_day: bool, vendor: str) -> str:
    """PastEntries' query (placeholders: the draw edited and the person on PostgreSQL, the
    person elsewhere; then the person, the day and how many of its draws), written once
    per process from the models' table and column names: compiling it with the ORM (a
    join, a window or a grouping, a union) cost more than running it. Each row is the
    part it is (_NEWEST, _RESULT), a result's columns with its draw's, and the newest
    two keys ([day number, draw id]; NULL on a _RESULT row).

    On PostgreSQL: for each lab, analyte and unit of the typed results, the newest and
    the newest of another draw than the one edited (grouped, the largest key); elsewhere
    each typed result among the newest two of its analyte, lab and unit (numbered newest
    first), which hold the same two. With a day, every result of that day's first draws
    by id (a draw without any is one row of nulls). A draw's results by id."""
    if vendor == "postgresql":
        return _past_sql_grouped(with_day)
    draw = {name: compiled.column(LabDraw, name) for name in ("pk", "drawn_on", "lab_name")}
    result = {name: compiled.column(LabResult, name) for name in PastEntries.RESULT_FIELDS}
    calculated = compiled.column(LabResult, "calculated")
    names = ["draw_id", "drawn_on", "lab_name", "calculated"]
    names += [f"r_{name}" for name in PastEntries.RESULT_FIELDS]
    columns = [draw["pk"], draw["drawn_on"], draw["lab_name"], calculated]
    columns += [result[name] for name in PastEntries.RESULT_FIELDS]
    named = [f"{column} AS {name}" for column, name in zip(columns, names, strict=True)]
    newest = (
        f"ROW_NUMBER() OVER (PARTITION BY {result['analyte']}, {draw['lab_name']}, "
        f"{result['entered_unit']} ORDER BY {draw['drawn_on']} DESC, {draw['pk']} DESC) AS newest"
    )
    draws = compiled.table(LabDraw)
    on = f"{compiled.table(LabResult)} ON {draw['pk']} = {compiled.column(LabResult, 'draw')}"
    sql = (
        f"SELECT {', '.join(names)} FROM (SELECT {', '.join(named)}, {newest} "
        f"FROM {draws} INNER JOIN {on} WHERE {compiled.column(LabDraw, 'patient')} = %s "
        f"AND NOT {calculated}) AS typed WHERE newest <= 2"
    )
    if with_day:
        sql += f" UNION SELECT {', '.join(columns)} FROM {_the_days_draws(draws, on, draw)}"
    # Every row a _RESULT, without keys: the same columns as on PostgreSQL.
    return (
        f"SELECT {_RESULT} AS part, {', '.join(names)}, NULL AS newest, NULL AS other FROM "
        f"({sql}) AS past ORDER BY drawn_on DESC, draw_id DESC, r_id"
    )


def _past_sql_grouped(with_day: bool) -> str:
    draw = {name: compiled.column(LabDraw, name) for name in ("pk", "drawn_on", "lab_name")}
    result = {name: compiled.column(LabResult, name) for name in PastEntries.RESULT_FIELDS}
    calculated = compiled.column(LabResult, "calculated")
    draws = compiled.table(LabDraw)
    on = f"{compiled.table(LabResult)} ON {draw['pk']} = {compiled.column(LabResult, 'draw')}"
    key = f"ARRAY[{draw['drawn_on']} - DATE '{_EPOCH.isoformat()}', {draw['pk']}]"
    no_keys = "CAST(NULL AS bigint[]), CAST(NULL AS bigint[])"
    sql = (
        f"SELECT {_NEWEST} AS part, CAST(NULL AS bigint) AS draw_id, "
        f"CAST(NULL AS date) AS drawn_on, {draw['lab_name']} AS lab_name, "
        f"CAST(NULL AS boolean) AS calculated, CAST(NULL AS bigint) AS r_id, "
        f"{result['analyte']}, CAST(NULL AS double precision), CAST(NULL AS text), "
        f"CAST(NULL AS text), {result['entered_unit']}, MAX({key}) AS newest, "
        f"MAX({key}) FILTER (WHERE {draw['pk']} <> %s) AS other "
        f"FROM {draws} INNER JOIN {on} WHERE {compiled.column(LabDraw, 'patient')} = %s "
        f"AND NOT {calculated} "
        f"GROUP BY {result['analyte']}, {draw['lab_name']}, {result['entered_unit']}"
    )
    if with_day:
        columns = [draw["pk"], draw["drawn_on"], draw["lab_name"], calculated]
        columns += [result[name] for name in PastEntries.RESULT_FIELDS]
        sql += (
            f" UNION ALL SELECT {_RESULT}, {', '.join(columns)}, {no_keys} "
            f"FROM {_the_days_draws(draws, on, draw)}"
        )
    return f"{sql} ORDER BY part, draw_id, r_id"


def _the_days_draws(draws: str, on: str, draw: dict) -> str:
    """Both queries' FROM part for the day's first draws by id, with their results (a draw
    without any is one row of nulls; placeholders: the person, the day, how many)."""
    that_day = {
        name: compiled.column(LabDraw, name, "that_day") for name in ("pk", "patient", "drawn_on")
    }
    day_draws = (
        f"SELECT {that_day['pk']} FROM {draws} AS that_day WHERE {that_day['patient']} = %s "
        f"AND {that_day['drawn_on']} = %s ORDER BY {that_day['pk']} LIMIT %s"
    )
    return f"{draws} LEFT OUTER JOIN {on} WHERE {draw['pk']} IN ({day_draws})"


def _past_query(patient_id, day, exclude_draw, limit) -> tuple[str, list]:
    grouped = connection.vendor == "postgresql"
    ids = [exclude_draw, patient_id] if grouped else [patient_id]
    if day is None:
        return _past_sql(False, connection.vendor), ids
    # One more than the limit (two with the draw being edited) tells of others.
    kept = limit + (2 if exclude_draw else 1)
    day = connection.ops.adapt_datefield_value(day)
    return _past_sql(True, connection.vendor), [*ids, patient_id, day, kept]


def remembered_units(patient, region: Region, lab_name: str = "") -> dict[str, str]:
    """The unit each analyte was last entered in for this person (from this lab, when one is
    named and has printed it), else the region's default."""
    return PastEntries(patient).units(region, lab_name)


def lab_units(patient, lab_name: str, exclude_draw=None) -> dict[str, str]:
    """The unit each analyte was last entered in for this person from this lab."""
    return PastEntries(patient, exclude_draw=exclude_draw).lab_units(lab_name)


def _answer(value: str, kind: str, text: str) -> str | None:
    """The part after 'kind|text|' of an answer given for exactly this text, else None."""
    prefix = f"{kind}{SEP}{text}{SEP}"
    return value[len(prefix) :] if value and value.startswith(prefix) else None


class ResultReader:
    """Reads one analyte's box of a bound form; `questions` lists what must be answered."""

    def __init__(self, code: str, text: str, unit: str, region: Region, answers: dict):
        self.code, self.text, self.region = code, text.strip(), region
        self.analyte = units.ANALYTES[code]
        self.measurement: units.Measurement | None = None
        self.error = ""
        self.questions: list[str] = []
        self.reading_choices: list[tuple[str, str]] = []
        self.check_choices: list[tuple[str, str]] = []
        fix = _answer(answers.get("check", ""), "unit", self.text)
        self._read(fix or unit, answers)

    def _say(self, message: str) -> str:
        if message.startswith(self.analyte.label):
            return message  # "Ferritin must be between ...", not "Ferritin: Ferritin must ..."
        return f"{self.analyte.label}: {message}"

    def _read(self, chosen_unit: str, answers: dict) -> None:
        try:
            reading = formats.read_number(self.text, self.region)
            unit = entry.unit_for(self.code, reading, chosen_unit)
        except (formats.NumberError, units.UnitError) as error:
            self.error = self._say(str(error))
            return
        number, entered = reading.value, reading.entered
        if reading.ambiguous:
            # Only readings inside the hard limits are offered; none at all is a refusal.
            values = [
                v
                for v in (reading.value, *reading.others)
                if entry.within_limits(self.code, v, unit)
            ]
            self.reading_choices = [
                (f"value{SEP}{self.text}{SEP}{v}", self._shown(v, unit)) for v in values
            ]
            picked = _answer(answers.get("reading", ""), "value", self.text)
            if values and (picked is None or picked not in {str(v) for v in values}):
                message = formats.ambiguity_text(reading, self.region)
                self.questions.append(self._say(f"{message}: which is on the report?"))
                return
            if values and Decimal(picked) != reading.value:
                # Saved as the region writes it, so that it reads as picked from now on.
                number = Decimal(picked)
                text = formats.format_decimal(number, self.region, None, grouping=False)
                entered = reading.comparator + text
        try:
            measurement, unusual = entry.check_value(
                self.code, number, unit, reading.comparator, entered, self.region
            )
        except units.UnitError as error:
            self.error = self._say(str(error))
            self.check_choices = self._unit_choices(error.suggestions)
            return
        if unusual:
            kept = f"keep{SEP}{self.text}{SEP}{unit}"
            if answers.get("check") != kept:
                self.questions.append(self._say(unusual.message))
                shown = formats.format_decimal(number, self.region, None)
                label = f"Yes, {shown} {unit} is what the report says"
                self.check_choices = [(kept, label), *self._unit_choices(unusual.suggestions)]
                return
        self.measurement = measurement

    def _shown(self, value, unit: str) -> str:
        return f"{formats.format_decimal(value, self.region, None, grouping=False)} {unit}"

    def _unit_choices(self, suggestions) -> list[tuple[str, str]]:
        choices = []
        for other, stored in suggestions:
            shown = formats.format_decimal(stored, self.region, self.analyte.decimals + 1)
            label = f"It is in {other} ({shown} {self.analyte.display_unit})"
            choices.append((f"unit{SEP}{self.text}{SEP}{other}", label))
        return choices


def same_day_draws(patient, drawn_on, exclude_pk=None):
    """The person's other draws of that day, oldest first, each with its results."""
    if drawn_on is None:
        return []
    return PastEntries(patient, drawn_on, exclude_pk).same_day


def identical(draw: LabDraw, measurements: dict[str, units.Measurement]) -> bool:
    """The draw holds exactly these results (typed ones; a calculated TSAT is left out)."""
    theirs = {
        r.analyte: (round(r.value, 6), r.comparator)
        for r in draw.result_map().values()
        if not r.calculated
    }
    ours = {c: (round(m.value, 6), m.comparator) for c, m in measurements.items()}
    return theirs == ours


def draw_links(draws, region: Region):
    edit = linker("draw_edit")  # reversed once for all the draws (a day may list ten)
    return format_html_join(
        ", ",
        '<a href="{}">{}</a>',
        ((edit(d.pk), draw_summary(d, region, with_values=False)) for d in draws),
    )


def result_text(result: LabResult, region: Region, threshold=None) -> str:
    """'≤1.050 µg/L', written the region's way, in the analyte's display unit (never
    rounded onto a limit: `threshold`, the person's ferritin threshold, is one)."""
    return formats.format_result(result.analyte, result.value, result.comparator, region, threshold)


def draw_summary(draw: LabDraw, region: Region, with_values: bool = True) -> str:
    """'20.10.2026, Labor Berlin: Ferritin 1.050 µg/L, Hb 13,1 g/dL' for a confirmation."""
    head = formats.format_date(draw.drawn_on, region)
    if draw.lab_name:
        head += f", {draw.lab_name}"
    if not with_values:
        return head
    values = ", ".join(
        f"{units.ANALYTES[r.analyte].short_label or units.ANALYTES[r.analyte].label} "
        f"{result_text(r, region)}"
        for r in draw.results.all()
    )
    return f"{head}: {values}" if values else head


def duplicate_message(draws, is_identical: bool, region: Region, more: bool = False):
    """`more`: the day has other draws beyond those listed."""
    links = draw_links(draws, region)
    if more:
        links = format_html("{} and others", links)
    if is_identical:
        return format_html(
            "The same results are already saved for this day ({}). Saving them again would "
            "count them twice: tick the box below only if this really is a second draw.",
            links,
        )
    return format_html(
        "Saved beside the other draw of that day ({}): if it is the same report entered "
        "twice, delete one of them.",
        links,
    )
