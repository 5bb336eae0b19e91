"""Read a whole CSV file: find the header, then each row through the readers (pure).

`parse_csv(data, date_order, today)` returns a `ParsedImport` with every row it
understood and every error by row and column, or raises `ImportRefused` when the file
as a whole cannot be used.

Two layouts are recognised:
- wide: one row per draw, a column per analyte ("Date; Ferritin (µg/L); Hb g/L");
- long: one row per test, as patient portals export them
  ("Date, Test, Result, Units, Reference range").
A `record` column (lab / infusion / symptom), as rlsapp's own export writes,
lets one file carry all three kinds.
"""

from __future__ import annotations

import datetime

from rlsapp.domain import conventions, regions, units

from ..dates import DateError, choose_order, parse_date
from ..parsed import MAX_RECORDS, ImportRefused, ParsedImport, too_long
from . import duplicates, treatments
from .columns import CELL_LIMITS, MAX_UNIT_CELL, MAX_VALUE_CELL, CellError, RecordKind
from .headers import Columns, header_problems, is_report_date, map_columns
from .readers import InfusionReader, LabReader, SymptomReader
from .text import DELIMITERS, PREAMBLE_LINES, cell, decode, read_rows, sniff_delimiter


class RowReader:
    """Hands each row to the reader of each kind of record it holds; keeps a row whole."""

    record = RecordKind()

    def __init__(self, cols: Columns, date_order, today, out: ParsedImport, region, account=None):
        self.cols, self.order, self.today, self.out = cols, date_order, today, out
        # Months in words are read in the account's language too (the numbers may follow
        # another region's convention: `region`).
        self.locale = (account or region).locale
        self.labs = LabReader(cols, out, region, account)
        self.infusions = InfusionReader(cols, out)
        self.symptoms = SymptomReader(cols, out)
        self.treatments = treatments.TreatmentReader(cols, out, date_order, today, self.locale)
        limits = {cols.roles.get(role): limit for role, limit in CELL_LIMITS.items()}
        for column in cols.analytes:
            limits[column.index] = MAX_VALUE_CELL
            limits[column.unit_column] = MAX_UNIT_CELL
        limits.pop(None, None)
        self.limits = sorted(limits.items())

    def read(self, number: int, row: list[str]) -> None:
        out = self.out
        if not any(c.strip() for c in row):
            out.skipped["blank rows"] += 1
            return
        if self._too_long(number, row):
            return
        extra = [c for c in row[len(self.cols.headers) :] if c.strip()]
        if extra:
            # "03.04.2025,45,13,1" under three headers: an unquoted decimal comma (or
            # thousands separator) split a number, so every cell after it is in the wrong
            # column (Hb 13,1 was read as 13 and the 1 dropped). Nothing of the row is read.
            self.out.error(
                number,
                self.cols.headers[-1].strip(),
                f"the row has {len(row)} cells but the header names "
                f"{len(self.cols.headers)}: a number with a comma in it may be "
                "split in two. Put such numbers in quotes, or separate the columns with ;.",
            )
            return
        kinds = self._kinds(number, row)
        if kinds is None:
            return
        if not kinds:
            out.skipped["rows without any value"] += 1
            return
        try:
            day = parse_date(self.cols.text(row, "date"), self.order, self.today, self.locale)
        except DateError as error:
            out.error(number, self.cols.header("date"), str(error))
            return
        if kinds & treatments.KINDS:  # an oral iron course, a medicine or its event
            self.treatments.read(number, row, day, next(iter(kinds)))
            return
        # A row is imported whole or not at all, with every error in it reported: each
        # reader reports its own, and nothing of the row is kept when any of them failed.
        errors = out.error_count  # not len(errors): only the first few are kept
        infusion = self.infusions.read(number, row, day) if "infusion" in kinds else None
        symptom = self.symptoms.read(number, row, day) if "symptom" in kinds else None
        lab_row = self.labs.read(number, row) if "lab" in kinds else None
        if out.error_count > errors:
            return
        if lab_row is not None and not lab_row.results:
            out.skipped["rows without any value"] += 1
        elif lab_row is not None:
            self.labs.keep(number, day, lab_row)
            if out.error_count > errors:
                return
        if infusion is not None:
            out.infusions.append(infusion)
        if symptom is not None:
            out.symptoms.append(symptom)

    def _too_long(self, number: int, row: list[str]) -> bool:
        """Report every cell longer than its column allows; such a row is read no further."""
        found = False
        for index, limit in self.limits:
            text = row[index].strip() if index < len(row) else ""
            if len(text) > limit:
                self.out.error(number, self.cols.headers[index].strip(), too_long(text, limit))
                found = True
        return found

    def _kinds(self, number: int, row: list[str]) -> set[str] | None:
        cols = self.cols
        record = cols.text(row, "record")
        if record:
            try:
                return {self.record.clean(record)}
            except CellError as error:
                self.out.error(number, cols.header("record"), str(error))
                return None
        kinds = set()
        if cols.layout == "long":
            if cols.text(row, "test") or cols.text(row, "loinc"):
                kinds.add("lab")
        elif any(cell(row, a.index) for a in cols.analytes):
            kinds.add("lab")
        if cols.text(row, "product") or cols.text(row, "dose"):
            kinds.add("infusion")
        if cols.text(row, "severity"):
            kinds.add("symptom")
        return kinds


def _value_cells(cols: Columns, body) -> list[str]:
    """Every cell that holds a result, for telling the file's number convention."""
    indexes = [a.index for a in cols.analytes]
    if cols.layout == "long":
        indexes.append(cols.roles.get("value"))
    stored = cols.roles.get("stored")
    return [
        text
        for _, row in body
        if not cell(row, stored)  # settled by its stored value (rlsapp's own export)
        for i in indexes
        if i is not None and (text := cell(row, i))
    ]


def _header_in(rows) -> tuple[int | None, Columns | None]:
    for position, (_, row) in enumerate(rows[:PREAMBLE_LINES]):
        candidate = map_columns(row)
        if "date" in candidate.roles:
            return position, candidate
    return None, None


def _find_header(text: str):
    """(rows, header position, columns) read with the separator that gives a usable header.

    The separator is sniffed from the first line that has one; when no header with a date
    and something to import is found with it, the other separators are tried: a lab's
    title line before a semicolon or tab header may hold a comma ("Patient: Doe, John")
    or no separator at all. Nothing found with any: the sniffed separator's reading, so
    that its refusal (or malformed-quote message) is the one shown.
    """
    sniffed = sniff_delimiter(text)
    first = None
    for delimiter in (sniffed, *(d for d in DELIMITERS if d != sniffed)):
        try:
            rows = read_rows(text, delimiter)
        except ImportRefused:
            continue
        found = (rows, *_header_in(rows))
        if delimiter == sniffed:
            first = found
        if found[2] is not None and found[2].has_content():
            return found
    if first is None:
        read_rows(text, sniffed)  # raises the sniffed separator's refusal
    return first


def parse_csv(
    data: bytes,
    date_order: str = "auto",
    today: datetime.date | None = None,
    number_convention: str = "auto",
    region: regions.Region | None = None,
    columns: dict[str, int] | None = None,
):
    """Parse an uploaded CSV file; raises ImportRefused for a file that cannot be used.

    Numbers are read by one convention for the whole file ("point" or "comma"): the one
    asked for, else the one its cells prove, else the account's region's (and the person
    is asked to choose when some cell reads differently under the two). `columns`: for
    an analyte with two columns that differ, the index of the one the person chose.
    """
    today = today or datetime.date.today()
    region = region or regions.get(None)
    text, encoding_note = decode(data)
    rows, header_at, cols = _find_header(text)
    if cols is None:
        raise ImportRefused(
            "No date column found: the first row must name the columns, one of them the "
            "date (for example “Date”, “Date drawn” or “Collection date”)."
            + header_problems(map_columns(rows[0][1]) if rows else Columns())
        )
    if not cols.has_content():
        raise ImportRefused(
            "No known analyte column: name columns like “Ferritin (µg/L)”, “Hb g/L”, "
            "“Hct L/L”, or give a test name and a value column (long layout). Known analytes: "
            + ", ".join(a.label for a in units.ANALYTES.values())
            + "."
            + header_problems(cols)
        )
    out = ParsedImport(source="csv", layout=cols.layout)
    if encoding_note:
        out.notes.append(encoding_note)
    if header_at:
        out.notes.append(f"The first {header_at} line(s) before the header were skipped.")
    if is_report_date(cols.header("date")):
        out.notes.append(
            f"The dates are from the column “{cols.header('date')}”, the day the lab "
            "reported: the blood may have been drawn a day or more before. Check the dates "
            "against the reports."
        )
    if cols.ignored:
        out.notes.append("Columns not imported: " + ", ".join(cols.ignored[:20]) + ".")
    for header, message in cols.errors:
        out.error(rows[header_at][0], header, message)
    body = rows[header_at + 1 :]
    if len(body) > MAX_RECORDS:
        raise ImportRefused(
            f"The file has more than {MAX_RECORDS:,} rows below the header; rlsapp imports at "
            f"most {MAX_RECORDS:,} rows from one file. Split it, or export a shorter period."
        )
    duplicates.settle(cols, body, columns or {}, out)
    date_index = cols.roles["date"]
    date_cells = [cell(row, date_index) for _, row in body]
    out.date_order, out.needs_date_order = choose_order(
        [c for c in date_cells if c], date_order, region.dates.order
    )
    out.number_convention, out.needs_number_convention = conventions.choose_convention(
        _value_cells(cols, body), number_convention, region
    )
    reader = RowReader(
        cols,
        out.date_order,
        today,
        out,
        conventions.region_for_convention(out.number_convention, region),
        account=region,
    )
    for position, (number, row) in enumerate(body, start=1):
        reader.read(number, row)
        if position % 1000 == 0:
            out.refuse_if_too_many()  # early: reading a row of many tests costs too
    out.refuse_if_too_many()
    if out.needs_number_convention:
        out.notes.insert(
            0,
            "Numbers like 1,050 could be one thousand and fifty or one point zero five: "
            "choose how the numbers are written below before importing.",
        )
    if out.needs_column_choice:
        out.notes.insert(
            0,
            "Two columns hold the same test with different values: choose the column to "
            "read below before importing.",
        )
    if out.needs_date_order:
        out.notes.insert(
            0,
            "Dates like 03/04/2024 could be 3 April or March 4: choose the date order below "
            "before importing.",
        )
    return out
