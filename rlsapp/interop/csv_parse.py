"""Read lab results, infusions and symptom scores from CSV files people really have.

Pure: no Django imports. `parse_csv(data, date_order, today)` returns a
`ParsedImport` with every row it understood and every error by row and column,
or raises `ImportRefused` when the file as a whole cannot be used.

Two layouts are recognised:
- wide: one row per draw, a column per analyte ("Date; Ferritin (µg/L); Hb g/L");
- long: one row per test, as patient portals export them
  ("Date, Test, Result, Units, Reference range").
A `record` column (lab / infusion / symptom), as rlsapp's own export writes,
lets one file carry all three kinds.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import re
from dataclasses import dataclass, field

from rlsapp.domain import entry, formats, products, regions, units

from . import vocab
from .dates import DateError, choose_order, parse_date
from .parsed import (
    ERRORS_KEPT,
    MAX_RECORDS,
    ImportRefused,
    ParsedDraw,
    ParsedImport,
    ParsedInfusion,
    ParsedResult,
    ParsedSymptom,
    RowError,
    excerpt,
    too_long,
)

MAX_TEXT = 120  # lab name and "other product" columns hold at most this much
MAX_NOTE = 5000
MAX_ENTERED_VALUE = 32  # tracking.LabResult.entered_value: the value as the lab printed it
DOSE_RANGE_MG = (products.MIN_DOSE_MG, products.MAX_DOSE_MG)
PREAMBLE_LINES = 20  # lab reports may put a few lines of letterhead before the header
# Every cell is measured before any pattern reads it, so that no cell can make
# parsing slower than linear: the longest header, and the longest cell per column role.
MAX_HEADER = 200
MAX_VALUE_CELL = 64  # a value with its unit: "<0.5 µmol/L"
MAX_UNIT_CELL = 32
CELL_LIMITS = {
    "record": 32,
    "test": MAX_HEADER,
    "loinc": 16,
    "value": MAX_VALUE_CELL,
    "stored": MAX_VALUE_CELL,
    "unit": MAX_UNIT_CELL,
    "comparator": 4,
    "calculated": 16,
    "dose": 32,
    "severity": 16,
    "onset": 16,
}

BLANK_CELLS = {"", "-", "–", "—", ".", "n/a", "na", "nd", "n.d.", "not done", "none", "null"}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Inside a field, where a spreadsheet splitting on another separator (Excel in German,
# French or Dutch splits on ";") starts a new cell: the export puts a quote after such a
# separator when a formula would follow, and the reader takes it away again.
NEUTRALISED_INSIDE = re.compile(r"([;,\t\r\n])'(?=[ ]*[=+\-@])")

ROLE_HEADERS: dict[str, set[str]] = {
    "date": {
        "date",
        "datum",
        "date drawn",
        "drawn",
        "drawn on",
        "draw date",
        "collection date",
        "collected",
        "collected on",
        "date collected",
        "specimen date",
        "sample date",
        "date of test",
        "test date",
        "date given",
        "given on",
        "recorded on",
        "effective date",
        "observation date",
        "fecha",
        "day",
    },
    "late_date": {"result date", "reported", "report date", "date reported", "resulted"},
    "lab": {
        "lab",
        "laboratory",
        "lab name",
        "lab or assay",
        "assay",
        "performing lab",
        "performing laboratory",
        "labor",
        "laboratorium",
        "facility",
        "performer",
    },
    "note": {"note", "notes", "comment", "comments", "remark", "remarks", "bemerkung"},
    "record": {"record", "record type", "type", "kind", "entry type"},
    "test": {
        "test",
        "test name",
        "analyte",
        "name",
        "component",
        "description",
        "parameter",
        "observation",
        "test description",
        "analysis",
        "lab test",
        "result name",
        "measurement",
        "untersuchung",
    },
    "loinc": {"loinc", "loinc code"},
    "value": {
        "value",
        "result",
        "result value",
        "value as entered",
        "entered value",
        "observation value",
        "measured value",
        "numeric value",
        "wert",
        "ergebnis",
    },
    "unit": {
        "unit",
        "units",
        "unit as entered",
        "entered unit",
        "einheit",
        "uom",
        "unit of measure",
    },
    "comparator": {"comparator"},
    "calculated": {"calculated"},
    "product": {
        "product",
        "iron product",
        "medication",
        "drug",
        "infusion",
        "infusion product",
        "preparation",
        "medicine",
    },
    "product_other": {"product other", "other product"},
    "dose": {"dose", "dose mg", "iron dose", "dose in mg", "dosage", "amount"},
    "reaction": {"reaction", "reaction if any", "side effects", "adverse reaction"},
    "severity": {
        "severity",
        "symptom severity",
        "symptoms",
        "symptom score",
        "rls severity",
        "score",
    },
    "onset": {
        "onset",
        "onset time",
        "symptoms began",
        "evening onset",
        "evening symptoms began at",
        "symptom onset",
    },
    # rlsapp's own export: the stored value (decimal point, stored unit) beside the value
    # as entered tells which convention that text was typed in; it is not imported itself.
    "stored": {"stored value"},
    # Understood and deliberately not imported: stored values are recomputed
    # from the values as entered, reference ranges come from rlsapp's own table.
    "ignore": {
        "stored unit",
        "reference range",
        "ref range",
        "range",
        "normal range",
        "reference",
        "reference interval",
        "flag",
        "abnormal flag",
        "status",
        "interpretation",
        "time",
        "patient",
        "patient name",
        "id",
        "specimen",
        "code",
    },
}
_HEADER_ROLE = {h: role for role, headers in ROLE_HEADERS.items() for h in headers}

RECORD_KINDS = {
    "lab": "lab",
    "lab result": "lab",
    "result": "lab",
    "draw": "lab",
    "infusion": "infusion",
    "iv iron": "infusion",
    "symptom": "symptom",
    "symptom score": "symptom",
    "symptoms": "symptom",
}


@dataclass
class AnalyteColumn:
    index: int
    header: str
    analyte: str
    unit: str | None  # accepted unit from the header, None when the header gives none
    unit_column: int | None = None


@dataclass
class Columns:
    roles: dict[str, int] = field(default_factory=dict)
    analytes: list[AnalyteColumn] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    dose_factor: float = 1.0
    ignored: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (header, message)

    @property
    def layout(self) -> str:
        if ("test" in self.roles or "loinc" in self.roles) and "value" in self.roles:
            return "long"
        return "wide"

    def has_content(self) -> bool:
        return bool(
            self.analytes
            or self.layout == "long"
            or {"product", "dose", "severity"} & self.roles.keys()
        )


def decode(data: bytes) -> tuple[str, str]:
    """(text, note) from the uploaded bytes; refuses what is no text file."""
    if not data or not data.strip():
        raise ImportRefused("The file is empty.")
    if data[:4] == b"PK\x03\x04":
        raise ImportRefused(
            "This is an Excel workbook or another zip file, not CSV: in your spreadsheet "
            "choose Save as / Download as CSV, then upload that file."
        )
    if data[:5] == b"%PDF-" or b"\x00" in data[:4096]:
        raise ImportRefused("This is not a CSV text file (it holds binary data).")
    if b"\x00" in data:
        # A database cannot store it (PostgreSQL refuses any text holding one).
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise ImportRefused(
            f"The file holds a NUL character (a zero byte) on line {line}, which is not "
            "text: remove it, or save the file again as CSV UTF-8."
        )
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        pass
    # Older Excel versions on Windows save CSV in Windows-1252.
    try:
        return data.decode("cp1252"), "The file is not UTF-8; it was read as Windows-1252."
    except UnicodeDecodeError:
        raise ImportRefused("The file is not UTF-8 text: save it as CSV UTF-8.") from None


def sniff_delimiter(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            counts = {d: line.count(d) for d in (";", ",", "\t")}
            best = max(counts, key=lambda d: counts[d])
            return best if counts[best] else ","
    return ","


def unneutralise(cell: str) -> str:
    """Undo the quotes rlsapp's export puts before what would start like a formula."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_PREFIXES:
        cell = cell[1:]
    return NEUTRALISED_INSIDE.sub(r"\1", cell) if "'" in cell else cell


def _split_header(header: str) -> tuple[str, str]:
    text = header.replace("\ufeff", "").strip()
    bracket = vocab.split_bracket(text)
    if bracket:
        return vocab.normalise_name(bracket[0]), bracket[1]
    return vocab.normalise_name(text), ""


def _looks_like_unit(text: str) -> bool:
    key = vocab.unit_key(text)
    return "/" in key or "%" in key or key in ("mg", "g", "l")


def map_columns(headers: list[str]) -> Columns:
    cols = Columns(headers=headers)
    date_rank: tuple[int, int] | None = None
    previous_analyte: AnalyteColumn | None = None
    for index, header in enumerate(headers):
        if len(header) > MAX_HEADER:
            cols.errors.append((excerpt(header), "column header: " + too_long(header, MAX_HEADER)))
            previous_analyte = None
            continue
        base, bracket_unit = _split_header(header)
        if not base:
            previous_analyte = None
            continue
        role = _HEADER_ROLE.get(base)
        if role is None and re.search(r"\b(date|datum)\b", base):
            role = "loose_date"
        if role in ("date", "late_date", "loose_date"):
            rank = {"date": 0, "loose_date": 1, "late_date": 2}[role]
            if date_rank is None or rank < date_rank[0]:
                date_rank = (rank, index)
            previous_analyte = None
            continue
        if role == "unit" and previous_analyte is not None and previous_analyte.unit is None:
            # Wide sheets often put a plain "Unit" column right after each analyte.
            previous_analyte.unit_column = index
            previous_analyte = None
            continue
        if role == "ignore":
            previous_analyte = None
            continue
        if role is not None:
            if role == "dose":
                unit = vocab.unit_key(bracket_unit)
                if unit in ("g", "gram"):
                    cols.dose_factor = 1000.0
                elif unit not in ("", "mg"):
                    cols.errors.append((header, "Dose must be in mg (or g)."))
            cols.roles.setdefault(role, index)
            previous_analyte = None
            continue
        analyte, unit_text = vocab.split_analyte_and_unit(header)
        if analyte is None:
            cols.ignored.append(header.strip())
            previous_analyte = None
            continue
        if vocab.normalise_name(unit_text) in ("unit", "units", "einheit"):
            target = next((a for a in cols.analytes if a.analyte == analyte), None)
            if target is not None:
                target.unit_column = index
            else:
                cols.ignored.append(header.strip())
            previous_analyte = None
            continue
        unit = None
        if unit_text:
            unit = vocab.resolve_unit(analyte, unit_text)
            if unit is None:
                if _looks_like_unit(unit_text):
                    info = units.ANALYTES[analyte]
                    cols.errors.append(
                        (
                            header,
                            f"unknown unit {unit_text!r} for {info.label}; accepted: "
                            f"{', '.join(info.units)}.",
                        )
                    )
                else:
                    # "Ferritin flag", "Hb reference": about the analyte, not a value.
                    cols.ignored.append(header.strip())
                previous_analyte = None
                continue
        column = AnalyteColumn(index, header.strip(), analyte, unit)
        cols.analytes.append(column)
        previous_analyte = column
    if date_rank is not None:
        cols.roles["date"] = date_rank[1]
    return cols


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    text = unneutralise(row[index].strip())
    return "" if text.lower() in BLANK_CELLS else text


class _Reader:
    def __init__(self, cols: Columns, date_order: str, today: datetime.date, out: ParsedImport):
        self.cols = cols
        self.order = date_order
        self.region = regions.get(None)  # set by parse_csv to the file's number convention
        self.today = today
        self.out = out
        self.draws: dict[tuple, ParsedDraw] = {}
        self.seen_analytes: dict[tuple, dict[str, int]] = {}
        self.assumed_units: set[str] = set()
        limits = {cols.roles.get(role): limit for role, limit in CELL_LIMITS.items()}
        for column in cols.analytes:
            limits[column.index] = MAX_VALUE_CELL
            limits[column.unit_column] = MAX_UNIT_CELL
        limits.pop(None, None)
        self.limits = sorted(limits.items())

    def header(self, role: str) -> str:
        return self.cols.headers[self.cols.roles[role]].strip()

    def text(self, row: list[str], role: str) -> str:
        return _cell(row, self.cols.roles.get(role))

    def read(self, number: int, row: list[str]) -> None:
        if not any(c.strip() for c in row):
            self.out.skipped["blank rows"] += 1
            return
        if self._too_long(number, row):
            return
        kinds = self._kinds(number, row)
        if kinds is None:
            return
        if not kinds:
            self.out.skipped["rows without any value"] += 1
            return
        try:
            day = parse_date(self.text(row, "date"), self.order, self.today)
        except DateError as error:
            self.out.error(number, self.header("date"), str(error))
            return
        # A row is imported whole or not at all, with every error in it reported:
        # lab results go last and are kept only if nothing before failed; what the
        # row added before is taken back when its lab part fails.
        errors, infusions, symptoms = (
            self.out.error_count,  # not len(errors): only the first few are kept
            len(self.out.infusions),
            len(self.out.symptoms),
        )
        if "infusion" in kinds:
            self._infusion(number, row, day)
        if "symptom" in kinds:
            self._symptom(number, row, day)
        if "lab" in kinds:
            self._lab(number, row, day, blocked=self.out.error_count > errors)
        if self.out.error_count > errors:
            del self.out.infusions[infusions:]
            del self.out.symptoms[symptoms:]

    def _too_long(self, number: int, row: list[str]) -> bool:
        """Report every cell longer than its column allows; such a row is read no further."""
        found = False
        for index, limit in self.limits:
            cell = row[index].strip() if index < len(row) else ""
            if len(cell) > limit:
                self.out.error(number, self.cols.headers[index].strip(), too_long(cell, limit))
                found = True
        return found

    def _kinds(self, number: int, row: list[str]) -> set[str] | None:
        record = self.text(row, "record")
        if record:
            kind = RECORD_KINDS.get(vocab.normalise_name(record))
            if kind is None:
                self.out.error(
                    number,
                    self.header("record"),
                    f"unknown record type {record!r}: use lab, infusion or symptom.",
                )
                return None
            return {kind}
        kinds = set()
        if self.cols.layout == "long":
            if self.text(row, "test") or self.text(row, "loinc"):
                kinds.add("lab")
        elif any(_cell(row, a.index) for a in self.cols.analytes):
            kinds.add("lab")
        if self.text(row, "product") or self.text(row, "dose"):
            kinds.add("infusion")
        if self.text(row, "severity"):
            kinds.add("symptom")
        return kinds

    def _measure(self, number, column, analyte, raw, unit, unit_from_cell=""):
        """One value cell -> ParsedResult, or a row error naming the column."""
        number_text, unit_in_cell = formats.split_number_and_unit(raw)
        if unit_in_cell:
            unit_from_cell = unit_from_cell or unit_in_cell
        else:
            number_text = raw
        info = units.ANALYTES[analyte]
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
            unit = info.display_unit
            if analyte not in self.assumed_units:
                self.assumed_units.add(analyte)
                self.out.notes.append(
                    f"No unit given for {info.label}: read as {unit}. If that is wrong, put "
                    f"the unit in the header, e.g. “{info.label} ({list(info.units)[-1]})”."
                )
        comparator = self.text_comparator
        if comparator and not re.match(r"^\s*[<>≤≥]", number_text):
            number_text = comparator + number_text
        if len(number_text.strip()) > MAX_ENTERED_VALUE:
            self.out.error(
                number, column, "the value: " + too_long(number_text.strip(), MAX_ENTERED_VALUE)
            )
            return None
        region, settled = self._region_for(number_text, analyte, unit)
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

    text_stored = ""

    def _region_for(self, number_text: str, analyte: str, unit: str):
        """(region to read the value with, whether the file settles its convention).

        rlsapp's export gives each stored value (decimal point) beside the value as typed,
        in whichever convention that was: the convention that reads the one as the other is
        the one it was typed in, whatever the rest of the file uses."""
        factor = units.ANALYTES[analyte].units.get(unit)
        try:
            target = float(self.text_stored) if self.text_stored and factor else None
        except ValueError:
            target = None
        if target is None or not math.isfinite(target):
            return self.region, False
        for convention in formats.CONVENTIONS:
            region = formats.region_for_convention(convention, self.region)
            try:
                value = float(formats.read_number(number_text, region).value) * factor
            except formats.NumberError:
                continue
            if math.isclose(value, target, rel_tol=1e-6, abs_tol=1e-6):
                return region, True
        return self.region, False

    def _flag(self, found: list, number: int, column: str, message: str) -> None:
        """A value to look at in the preview (the first ERRORS_KEPT of each kind)."""
        if len(found) < ERRORS_KEPT:
            found.append(RowError(number, column, message))

    text_comparator = ""

    def _lab(self, number: int, row: list[str], day: datetime.date, blocked: bool) -> None:
        """Check the row's results (reporting every error); keep them unless the row failed."""
        lab = self.text(row, "lab")
        if len(lab) > MAX_TEXT:
            self.out.error(number, self.header("lab"), f"at most {MAX_TEXT} characters.")
            return
        note = self.text(row, "note")[:MAX_NOTE]
        results: list[tuple[str, ParsedResult]] = []
        failed = False
        if self.cols.layout == "long":
            found = self._long_result(number, row)
            if found is None:
                return
            results.append(found)
        else:
            self.text_comparator = ""
            for col in self.cols.analytes:
                raw = _cell(row, col.index)
                if not raw:
                    continue
                cell_unit = _cell(row, col.unit_column)
                parsed = self._measure(number, col.header, col.analyte, raw, col.unit, cell_unit)
                if parsed is None:
                    failed = True
                elif any(r.analyte == col.analyte for _, r in results):
                    self.out.error(
                        number, col.header, f"a second {col.analyte} value in the same row."
                    )
                    failed = True
                else:
                    results.append((col.header, parsed))
        if failed or blocked:
            return  # a row is imported whole or not at all
        if not results:
            self.out.skipped["rows without any value"] += 1
            return
        key = (day, lab.casefold())
        draw = self.draws.get(key)
        if draw is None:
            draw = self.draws[key] = ParsedDraw([], day, lab, note, [])
            self.seen_analytes[key] = {}
            self.out.draws.append(draw)
        seen = self.seen_analytes[key]
        for column, result in results:
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

    def _long_result(self, number: int, row: list[str]):
        loinc = self.text(row, "loinc")
        name = self.text(row, "test")
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
        raw = self.text(row, "value")
        if not raw:
            self.out.skipped["tests without a value"] += 1
            return None
        column = self.header("value")
        self.text_comparator = self.text(row, "comparator")
        self.text_stored = self.text(row, "stored")
        unit_text = self.text(row, "unit") or unit_in_name
        parsed = self._measure(number, column, analyte, raw, None, unit_text)
        if parsed is None:
            return None
        parsed.calculated = vocab.normalise_name(self.text(row, "calculated")) in (
            "yes",
            "true",
            "1",
        )
        return column, parsed

    def _infusion(self, number: int, row: list[str], day: datetime.date) -> None:
        product_text = self.text(row, "product")
        other = self.text(row, "product_other")
        product_column = self.header("product") if "product" in self.cols.roles else "Product"
        if not product_text:
            self.out.error(number, product_column, "name the iron product (for example FCM).")
            return
        product = vocab.product_for_name(product_text)
        if product is None:
            product, other = "other", other or product_text
        if product == "other" and not other:
            self.out.error(number, product_column, "name the product when it is “Other”.")
            return
        if len(other) > MAX_TEXT:
            self.out.error(number, product_column, f"at most {MAX_TEXT} characters.")
            return
        dose_text = self.text(row, "dose")
        dose_column = self.header("dose") if "dose" in self.cols.roles else "Dose"
        low, high = DOSE_RANGE_MG
        message = f"enter the dose in mg, from {low} to {high}."
        # Stripped first: optional spaces on both sides of "mg" would backtrack.
        match = re.match(r"([0-9]+(?:[.,][0-9]+)?)\s*(mg|g)?$", dose_text.strip(), re.I)
        if not match:
            self.out.error(number, dose_column, message)
            return
        cell_unit = (match.group(2) or "").lower()
        factor = {"g": 1000.0, "mg": 1.0}.get(cell_unit, self.cols.dose_factor)
        dose = float(match.group(1).replace(",", ".")) * factor
        if not low <= dose <= high or dose != int(dose):
            self.out.error(number, dose_column, message)
            return
        if product != "other":
            other = ""
        self.out.infusions.append(
            ParsedInfusion(
                rows=[number],
                given_on=day,
                product=product,
                product_other=other,
                dose_mg=int(dose),
                reaction=self.text(row, "reaction")[:MAX_NOTE],
                notes=self.text(row, "note")[:MAX_NOTE],
            )
        )

    def _symptom(self, number: int, row: list[str], day: datetime.date) -> None:
        text = self.text(row, "severity")
        column = self.header("severity") if "severity" in self.cols.roles else "Severity"
        # Stripped first: optional spaces on both sides of "/ 10" would backtrack.
        match = re.match(r"([0-9]{1,2})(?:[.,]0+)?\s*(?:/\s*10)?$", text.strip())
        if not match or not 0 <= int(match.group(1)) <= 10:
            self.out.error(number, column, "severity: enter a whole number from 0 to 10.")
            return
        onset = None
        onset_text = self.text(row, "onset")
        if onset_text:
            time_match = re.match(r"^\s*(\d{1,2})[:.h](\d{2})(?::\d{2})?\s*$", onset_text)
            try:
                if not time_match:
                    raise ValueError
                onset = datetime.time(int(time_match.group(1)), int(time_match.group(2)))
            except ValueError:
                self.out.error(number, self.header("onset"), "onset: enter a time like 21:30.")
                return
        self.out.symptoms.append(
            ParsedSymptom(
                rows=[number],
                recorded_on=day,
                severity=int(match.group(1)),
                onset_time=onset,
                note=self.text(row, "note")[:MAX_NOTE],
            )
        )


def _rows(text: str) -> list[tuple[int, list[str]]]:
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
            if len(rows) > MAX_RECORDS + PREAMBLE_LINES + 1:
                break  # enough to tell that the file is too long; parse_csv refuses it
    except csv.Error as error:
        raise ImportRefused(
            f"The CSV is malformed near line {reader.line_num}: {error}. "
            "Check the quotes on that line."
        ) from None
    return rows


def _header_problems(cols: Columns) -> str:
    """The header errors, for a refusal they may explain (a header too long to read)."""
    return "".join(f" Column {header}: {message}" for header, message in cols.errors[:3])


def _value_cells(cols: Columns, body) -> list[str]:
    """Every cell that holds a result, for telling the file's number convention."""
    indexes = [a.index for a in cols.analytes]
    if cols.layout == "long":
        indexes.append(cols.roles.get("value"))
    stored = cols.roles.get("stored")
    return [
        cell
        for _, row in body
        if not _cell(row, stored)  # settled by its stored value (rlsapp's own export)
        for i in indexes
        if i is not None and (cell := _cell(row, i))
    ]


def parse_csv(
    data: bytes,
    date_order: str = "auto",
    today: datetime.date | None = None,
    number_convention: str = "auto",
    region: regions.Region | None = None,
):
    """Parse an uploaded CSV file; raises ImportRefused for a file that cannot be used.

    Numbers are read by one convention for the whole file ("point" or "comma"): the one
    asked for, else the one its cells prove, else the account's region's (and the person
    is asked to choose when some cell reads differently under the two).
    """
    today = today or datetime.date.today()
    region = region or regions.get(None)
    text, encoding_note = decode(data)
    rows = _rows(text)
    header_at = None
    cols = None
    for position, (_, row) in enumerate(rows[:PREAMBLE_LINES]):
        candidate = map_columns(row)
        if "date" in candidate.roles:
            header_at, cols = position, candidate
            break
    if cols is None:
        raise ImportRefused(
            "No date column found: the first row must name the columns, one of them the "
            "date (for example “Date”, “Date drawn” or “Collection date”)."
            + _header_problems(map_columns(rows[0][1]) if rows else Columns())
        )
    if not cols.has_content():
        raise ImportRefused(
            "No known analyte column: name columns like “Ferritin (µg/L)”, “Hb g/L”, "
            "“Hct L/L”, or give a test name and a value column (long layout). Known analytes: "
            + ", ".join(a.label for a in units.ANALYTES.values())
            + "."
            + _header_problems(cols)
        )
    out = ParsedImport(source="csv", layout=cols.layout)
    if encoding_note:
        out.notes.append(encoding_note)
    if header_at:
        out.notes.append(f"The first {header_at} line(s) before the header were skipped.")
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
    date_index = cols.roles["date"]
    date_cells = [_cell(row, date_index) for _, row in body]
    out.date_order, out.needs_date_order = choose_order([c for c in date_cells if c], date_order)
    reader = _Reader(cols, out.date_order, today, out)
    out.number_convention, out.needs_number_convention = formats.choose_convention(
        _value_cells(cols, body), number_convention, region
    )
    reader.region = formats.region_for_convention(out.number_convention, region)
    for number, row in body:
        reader.read(number, row)
    if out.needs_number_convention:
        out.notes.insert(
            0,
            "Numbers like 1,050 could be one thousand and fifty or one point zero five: "
            "choose how the numbers are written below before importing.",
        )
    if out.needs_date_order:
        out.notes.insert(
            0,
            "Dates like 03/04/2024 could be 3 April or March 4: choose the date order below "
            "before importing.",
        )
    return out
