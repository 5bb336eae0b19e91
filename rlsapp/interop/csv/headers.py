"""Which column holds what: the header vocabulary and the mapping (pure).

`map_columns(headers)` gives each column a role (date, lab, product, dose, ...) or an
analyte with the unit its header names; what it does not know is listed as not
imported, and a header it cannot use (an unknown unit, a header too long) is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rlsapp.domain import units

from .. import vocab
from ..parsed import excerpt, too_long
from .text import cell
from .treatments import ROLE_HEADERS as TREATMENT_HEADERS

MAX_HEADER = 200
# A row wider than this is not read as a header. Every column of a candidate row is looked
# up in the vocabulary, for each separator and each line that may be the header, so a file
# of separators alone (millions of empty columns) must not be looked up column by column.
# Blank columns after the first MAX_COLUMNS (a spreadsheet's padding) are allowed.
MAX_COLUMNS = 500

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
        "provtagningsdatum",  # Swedish: sampling date
        "provdatum",
        "prøvedato",
        "provedato",
        "näytteenottopäivä",
        "naytteenottopaiva",
        "päivämäärä",  # Finnish: date
        "paivamaara",
        "dato",  # Danish and Norwegian: date
        "prøvetakingsdato",  # Norwegian: sampling date
        "prøvetagningsdato",  # Danish: sampling date
        "date de prelevement",
        "date du prelevement",
        "afnamedatum",  # Dutch
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
        "analys",  # Swedish
        "analyse",  # French, Danish, Norwegian
        "examen",
        "tutkimus",  # Finnish
        "bepaling",  # Dutch
        "test naam",
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
        "resultat",  # French (résultat), Swedish, Danish, Norwegian
        "valeur",
        "tulos",  # Finnish
        "uitslag",  # Dutch
        "waarde",
        "svar",
    },
    "unit": {
        "unit",
        "units",
        "unit as entered",
        "entered unit",
        "einheit",
        "uom",
        "unit of measure",
        "unite",  # French (unité)
        "unites",
        "enhet",  # Swedish, Norwegian
        "enhed",  # Danish
        "yksikko",  # Finnish (yksikkö)
        "eenheid",  # Dutch
    },
    "comparator": {"comparator"},
    "calculated": {"calculated"},
    "after_infusion": {
        "after infusion",
        "taken after infusion",
        "taken after the infusion that day",
        "post infusion",
    },
    "left_out": {
        "left out of fits",
        "left out",
        "left out because",
        "left out of the decline fit because of",
    },
    "left_out_note": {"left out note", "about leaving it out"},
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
        "referenzbereich",
        "normbereich",
        "referensintervall",
        "referanseområde",
        "referanseomrade",
        "referenceinterval",
        "viitevali",
        "valeurs de reference",
        "valeur de reference",
        "normes",
        "referentiewaarde",
        "referentiewaarden",
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
ROLE_HEADERS.update(TREATMENT_HEADERS)  # oral iron and medicines (treatments.py)
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
    "oral iron": "oral_iron",
    "oral iron course": "oral_iron",
    "medicine": "medicine",
    "rls medicine": "medicine",
    "medicine event": "medicine_event",
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
    # (header, message); header None for the row as a whole (too wide to be a header)
    errors: list[tuple[str | None, str]] = field(default_factory=list)

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

    def header(self, role: str) -> str:
        """The header of the column with this role, as the file wrote it."""
        return self.headers[self.roles[role]].strip()

    def text(self, row: list[str], role: str) -> str:
        """The cell of the column with this role ("" when the file has no such column)."""
        return cell(row, self.roles.get(role))


def _split_header(header: str) -> tuple[str, str]:
    text = header.replace("\ufeff", "").strip()
    bracket = vocab.split_bracket(text)
    if bracket:
        return vocab.normalise_name(bracket[0]), bracket[1]
    return vocab.normalise_name(text), ""


def is_report_date(header: str) -> bool:
    """Whether the header names the day a result was reported ("Result date"), read as
    the draw's date only when the file has no other: it may be days after the draw."""
    return _HEADER_ROLE.get(_split_header(header)[0]) == "late_date"


def _looks_like_unit(text: str) -> bool:
    key = vocab.unit_key(text)
    # "reference/range" (from "Ferritin reference range") has a slash but no unit's parts:
    # a unit's parts are symbols (ug, l, mmol, dl), never words of six letters or more.
    if any(len(part) > 5 for part in key.split("/")):
        return False
    return "/" in key or "%" in key or key in ("mg", "g", "l")


def map_columns(headers: list[str]) -> Columns:
    cols = Columns(headers=headers)
    # Joined, not looped over in Python: the row may hold millions of empty cells.
    if len(headers) > MAX_COLUMNS and "".join(headers[MAX_COLUMNS:]).strip():
        cols.errors.append(
            (None, f"The row has {len(headers):,} columns; rlsapp reads at most {MAX_COLUMNS:,}.")
        )
        return cols
    date_rank: tuple[int, int] | None = None
    previous_analyte: AnalyteColumn | None = None
    for index, header in enumerate(headers[:MAX_COLUMNS]):
        if len(header) > MAX_HEADER:
            cols.errors.append((excerpt(header), "column header: " + too_long(header, MAX_HEADER)))
            previous_analyte = None
            continue
        base, bracket_unit = _split_header(header)
        if not base:
            previous_analyte = None
            continue
        role = _HEADER_ROLE.get(base)
        if role is None and re.search(r"\b(date|datum|dato)\b", base):
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


def header_problems(cols: Columns) -> str:
    """The header errors, for a refusal they may explain (a header too long to read)."""
    return "".join(
        f" Column {header}: {message}" if header is not None else f" {message}"
        for header, message in cols.errors[:3]
    )
