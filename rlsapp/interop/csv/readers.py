"""One reader per kind of record: lab draws, infusions, symptom scores (pure).

Each reader reads its part of one row and reports every error in it to the
ParsedImport it was given; none of them shares state with another. The infusion and
symptom readers return a record and keep nothing; the lab reader keeps the draws it
has built (results of one date and lab join one draw) and adds a row's results only
when rows.py says the whole row was read without an error.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass

from rlsapp.domain import entry, formats, regions, rules, units

from .. import as_entered, vocab
from ..parsed import (
    ERRORS_KEPT,
    ParsedDraw,
    ParsedImport,
    ParsedInfusion,
    ParsedResult,
    ParsedSymptom,
    RowError,
    excerpt,
    too_long,
)
from .columns import (
    MAX_ENTERED_VALUE,
    MAX_UNIT_CELL,
    AfterInfusion,
    Calculated,
    CellError,
    Dose,
    LabName,
    LeftOut,
    LongText,
    Onset,
    Product,
    Severity,
)
from .headers import Columns
from .text import cell

NOTE, REACTION = LongText("note"), LongText("reaction")


class InfusionReader:
    product, dose = Product(), Dose()

    def __init__(self, cols: Columns, out: ParsedImport):
        self.cols, self.out = cols, out

    def read(self, number: int, row: list[str], day: datetime.date) -> ParsedInfusion | None:
        cols = self.cols
        try:
            product, other = self.product.clean(
                cols.text(row, "product"), cols.text(row, "product_other")
            )
        except CellError as error:
            self.out.error(number, self.product.header(cols), str(error))
            return None
        try:
            dose = self.dose.clean(cols.text(row, "dose"), cols.dose_factor)
        except CellError as error:
            self.out.error(number, self.dose.header(cols), str(error))
            return None
        return ParsedInfusion(
            rows=[number],
            given_on=day,
            product=product,
            product_other=other,
            dose_mg=dose,
            reaction=REACTION.clean(cols.text(row, "reaction")),
            notes=NOTE.clean(cols.text(row, "note")),
        )


class SymptomReader:
    severity, onset = Severity(), Onset()

    def __init__(self, cols: Columns, out: ParsedImport):
        self.cols, self.out = cols, out

    def read(self, number: int, row: list[str], day: datetime.date) -> ParsedSymptom | None:
        cols, values = self.cols, {}
        for column in (self.severity, self.onset):
            try:
                values[column.role] = column.clean(cols.text(row, column.role))
            except CellError as error:
                self.out.error(number, column.header(cols), str(error))
                return None
        return ParsedSymptom(
            rows=[number],
            recorded_on=day,
            severity=values["severity"],
            onset_time=values["onset"],
            note=NOTE.clean(cols.text(row, "note")),
        )


@dataclass
class LabRow:
    """A row's lab results, read and checked, before they join a draw."""

    lab: str
    note: str
    results: list[tuple[str, ParsedResult]]  # (the column read, the result)
    after_infusion: bool = False
    left_out: tuple[str, str] = ("", "")  # (reason code, note)


class LabReader:
    lab = LabName()
    calculated = Calculated()
    after_infusion = AfterInfusion()
    left_out = LeftOut()

    def __init__(
        self,
        cols: Columns,
        out: ParsedImport,
        region: regions.Region,
        account: regions.Region | None = None,
    ):
        self.cols, self.out = cols, out
        self.region = region  # the file's number convention (parse_csv decides it)
        # The account's region: a value without a unit is in the unit its labs print, as in
        # the lab form (a Dutch Hb of 8,1 is mmol/L, not g/dL).
        self.account = account or region
        self.draws: dict[tuple, ParsedDraw] = {}
        self.seen_analytes: dict[tuple, dict[str, int]] = {}
        self.assumed_units: set[str] = set()

    def read(self, number: int, row: list[str]) -> LabRow | None:
        """The row's results with every error reported; None when nothing is to be kept."""
        values = {}
        for column in (self.lab, self.after_infusion, self.left_out):
            try:
                values[column.role] = column.clean(self.cols.text(row, column.role))
            except CellError as error:
                self.out.error(number, column.header(self.cols), str(error))
                return None
        found = LabRow(
            values["lab"],
            NOTE.clean(self.cols.text(row, "note")),
            [],
            values["after_infusion"],
            (values["left_out"], self.cols.text(row, "left_out_note")[: rules.LEFT_OUT_NOTE_MAX]),
        )
        if self.cols.layout == "long":
            result = self._long_result(number, row)
            if result is None:
                return None
            found.results.append(result)
            return found
        failed = False
        for col in self.cols.analytes:
            raw = cell(row, col.index)
            if not raw:
                continue
            cell_unit = cell(row, col.unit_column)
            parsed = self.measure(number, col.header, col.analyte, raw, col.unit, cell_unit)
            if parsed is None:
                failed = True
            elif any(r.analyte == col.analyte for _, r in found.results):
                self.out.error(number, col.header, f"a second {col.analyte} value in the same row.")
                failed = True
            else:
                found.results.append((col.header, parsed))
        return None if failed else found

    def keep(self, number: int, day: datetime.date, found: LabRow) -> None:
        """Add a row's results to the draw of its date and lab, before or after that day's
        infusion (one value per analyte)."""
        lab, note = found.lab, found.note
        key = (day, lab.casefold(), found.after_infusion)
        draw = self.draws.get(key)
        if draw is None:
            draw = self.draws[key] = ParsedDraw([], day, lab, note, [], found.after_infusion)
            self.seen_analytes[key] = {}
            self.out.draws.append(draw)
        seen = self.seen_analytes[key]
        for column, result in found.results:
            if result.analyte in seen:
                earlier = next(r for r in draw.results if r.analyte == result.analyte)
                if (earlier.value, earlier.comparator) == (result.value, result.comparator):
                    self.out.skipped["results repeated within the file"] += 1
                else:
                    self.out.error(
                        number,
                        column,
                        f"a second {units.ANALYTES[result.analyte].label} result for "
                        f"{day:%Y-%m-%d}{' at ' + lab if lab else ''} (row {seen[result.analyte]} "
                        "has one); rlsapp keeps one per draw.",
                    )
                continue
            seen[result.analyte] = number
            draw.results.append(result)
        if number not in draw.rows:
            draw.rows.append(number)
        if note and not draw.note:
            draw.note = note
        if found.left_out[0] and not draw.left_out_reason:
            draw.left_out_reason, draw.left_out_note = found.left_out

    def _long_result(self, number: int, row: list[str]):
        cols = self.cols
        loinc = cols.text(row, "loinc")
        name = cols.text(row, "test")
        analyte = vocab.LOINC_TO_ANALYTE.get(loinc) if loinc else None
        analyte = analyte or vocab.analyte_for_name(name)
        if analyte is None and name:
            # "Ferritin (ng/mL)" as a test name: the unit travels with it.
            analyte, unit_in_name = vocab.split_analyte_and_unit(name)
        else:
            unit_in_name = ""
        if analyte is None:
            label = (name or loinc)[:40]
            self.out.skipped[f"tests rlsapp does not track ({label})"] += 1
            return None
        raw = cols.text(row, "value")
        if not raw:
            self.out.skipped["tests without a value"] += 1
            return None
        column = cols.header("value")
        unit_text = cols.text(row, "unit") or unit_in_name
        parsed = self.measure(
            number,
            column,
            analyte,
            raw,
            None,
            unit_text,
            comparator=cols.text(row, "comparator"),
            stored=cols.text(row, "stored"),
        )
        if parsed is None:
            return None
        parsed.calculated = self.calculated.clean(cols.text(row, "calculated"))
        return column, parsed

    def measure(
        self, number, column, analyte, raw, unit, unit_from_cell="", comparator="", stored=""
    ):
        """One value cell -> ParsedResult, or a row error naming the column.

        `comparator` and `stored`: the long layout's comparator and stored-value cells."""
        number_text, unit_in_cell = formats.split_number_and_unit(raw)
        if formats.not_a_unit(unit_in_cell):  # '1e3' is no 1 in the unit 'e3'
            self.out.error(number, column, f"read {excerpt(raw)}: {formats.accepted(self.region)}.")
            return None
        unit_in_cell = vocab.without_flags(unit_in_cell)
        info = units.ANALYTES[analyte]
        if unit_in_cell and unit_from_cell:
            # "15 umol/L" in the value beside "ug/dL" in the unit column: which one the lab
            # meant is not for rlsapp to pick (it took the column's, a 5.6-fold error).
            own = vocab.resolve_unit(analyte, unit_in_cell[:MAX_UNIT_CELL])
            beside = vocab.resolve_unit(analyte, unit_from_cell[:MAX_UNIT_CELL])
            if own is None:
                # "45 nmol/L" beside "ng/mL": the value's own unit was dropped unread and the
                # number taken in the column's.
                self.out.error(
                    number,
                    column,
                    f"the value {excerpt(raw)} ends in {excerpt(unit_in_cell)}, which is not a "
                    f"unit of {info.label} (accepted: {', '.join(info.units)}): correct it.",
                )
                return None
            if own and beside and info.units[own] != info.units[beside]:
                self.out.error(
                    number,
                    column,
                    f"the value {excerpt(raw)} gives the unit {own} but the unit column "
                    f"{beside}: correct one of them.",
                )
                return None
        if unit_in_cell:
            unit_from_cell = unit_from_cell or unit_in_cell
        if unit_from_cell:
            resolved = None
            if len(unit_from_cell) <= MAX_UNIT_CELL:
                resolved = vocab.resolve_unit(analyte, unit_from_cell)
            if resolved is None:
                self.out.error(
                    number,
                    column,
                    f"unknown unit {excerpt(unit_from_cell)} for {info.label}; accepted: "
                    f"{', '.join(info.units)}.",
                )
                return None
            unit = resolved
        if unit is None:
            unit = self.account.default_unit(analyte)
            if analyte not in self.assumed_units:
                self.assumed_units.add(analyte)
                other = next((u for u in reversed(info.units) if u != unit), unit)
                self.out.notes.append(
                    f"No unit given for {info.label}: read as {unit}. If that is wrong, put "
                    f"the unit in the header, e.g. “{info.label} ({other})”."
                )
        if comparator and not re.match(r"^\s*[<>≤≥]", number_text):
            number_text = comparator + number_text
        if len(number_text.strip()) > MAX_ENTERED_VALUE:
            self.out.error(
                number, column, "the value: " + too_long(number_text.strip(), MAX_ENTERED_VALUE)
            )
            return None
        region, settled = self._region_for(number_text, analyte, unit, stored)
        try:
            reading = formats.read_number(number_text, region)
            m, unusual = entry.check_value(
                analyte, reading.value, unit, reading.comparator, reading.entered, region
            )
        except (formats.NumberError, units.UnitError) as error:
            self.out.error(number, column, str(error))
            return None
        if reading.ambiguous and not settled:
            message = formats.ambiguity_text(reading, region)
            self._flag(self.out.read_differently, number, column, message)
        if unusual:
            self._flag(self.out.unusual, number, column, unusual.message)
        return ParsedResult(m.analyte, m.value, m.comparator, m.entered_value, m.entered_unit)

    def _region_for(self, number_text: str, analyte: str, unit: str, stored: str):
        """(region to read the value with, whether the file settles its convention).

        rlsapp's export gives each stored value (decimal point) beside the value as typed,
        in whichever convention that was: the convention that reads the one as the other is
        the one it was typed in, whatever the rest of the file uses."""
        factor = units.ANALYTES[analyte].units.get(unit)
        try:
            target = float(stored) if stored and factor else None
        except ValueError:
            target = None
        if target is None or not math.isfinite(target):
            return self.region, False
        region = as_entered.region_that_reads(number_text, factor, target, self.region)
        return (self.region, False) if region is None else (region, True)

    def _flag(self, found: list, number: int, column: str, message: str) -> None:
        """A value to look at in the preview (the first ERRORS_KEPT of each kind)."""
        if len(found) < ERRORS_KEPT:
            found.append(RowError(number, column, message))
