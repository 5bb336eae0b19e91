"""What an uploaded file will become, before anything is saved (pure: no Django imports).

Both parsers (CSV and FHIR) produce a `ParsedImport`; the importer turns it into
rows. It round-trips through JSON so the preview can be kept server-side until
the person confirms.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import asdict, dataclass, field, fields, is_dataclass

from . import parsed_treatments as treatments

# A preview keeps this many row errors and counts the rest: a file of a million bad rows
# must not become a million stored messages.
ERRORS_KEPT = 200

# The most rows (CSV) or entries (FHIR) one upload may hold; a larger file is refused
# before its records are kept. Far above any one person's history.
MAX_RECORDS = 20_000


class ImportRefused(ValueError):
    """The whole file cannot be imported; the message says why and what is accepted."""


# What no database column can hold: NUL (PostgreSQL refuses it in text) and half of a
# UTF-16 surrogate pair (a JSON "\ud800" escape alone; it cannot be encoded as UTF-8).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def excerpt(text: str, limit: int = 40) -> str:
    """What was read, quoted and cut short, for a message about an over-long field."""
    text = str(text)
    return repr(text[:limit]) + ("…" if len(text) > limit else "")


def too_long(text: str, limit: int) -> str:
    """The message for a field longer than `limit` characters (says what was read)."""
    return f"{len(text):,} characters read ({excerpt(text)}); at most {limit} are accepted."


@dataclass
class RowError:
    row: int  # 1-based line in a CSV file (header = 1), or entry number in a FHIR bundle
    column: str
    message: str


@dataclass
class ParsedResult:
    analyte: str
    value: float  # in the stored unit
    comparator: str
    entered_value: str
    entered_unit: str
    calculated: bool = False


@dataclass
class ParsedDraw:
    rows: list[int]
    drawn_on: datetime.date
    lab_name: str
    note: str
    results: list[ParsedResult]
    # As LabDraw: taken after that day's infusion, and why it is left out of the fits.
    after_infusion: bool = False
    left_out_reason: str = ""
    left_out_note: str = ""


@dataclass
class ParsedInfusion:
    rows: list[int]
    given_on: datetime.date
    product: str
    product_other: str
    dose_mg: int
    reaction: str = ""
    notes: str = ""


@dataclass
class ParsedSymptom:
    rows: list[int]
    recorded_on: datetime.date
    severity: int
    onset_time: datetime.time | None = None
    note: str = ""


@dataclass
class ParsedImport:
    source: str  # "csv" or "fhir"
    draws: list[ParsedDraw] = field(default_factory=list)
    infusions: list[ParsedInfusion] = field(default_factory=list)
    symptoms: list[ParsedSymptom] = field(default_factory=list)
    courses: list[treatments.ParsedCourse] = field(default_factory=list)  # oral iron
    medicines: list[treatments.ParsedMedicine] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # the first ERRORS_KEPT
    errors_dropped: int = 0  # errors after the first ERRORS_KEPT, counted only
    # what the file held that rlsapp does not import, by kind -> count
    skipped: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)  # file-level remarks for the preview
    layout: str = ""  # "wide", "long" or "bundle"
    date_order: str = ""  # the order used: "iso", "dmy" or "mdy"
    needs_date_order: bool = False  # dates are ambiguous: the person must choose
    # CSV numbers: "point" (1,050.5) or "comma" (1.050,5), detected or chosen (issue 11)
    number_convention: str = ""
    needs_number_convention: bool = False  # nothing in the file decides: the person chooses
    # values to look at before importing: read differently under the other convention,
    # and values outside their usual band
    read_differently: list[RowError] = field(default_factory=list)
    unusual: list[RowError] = field(default_factory=list)
    # CSV: analytes with two columns that differ, for the person to choose one
    # (csv/duplicates.py); a choice's "chosen" is the column index, None while open
    column_choices: list[dict] = field(default_factory=list)

    @property
    def record_count(self) -> int:
        return (
            len(self.draws)
            + len(self.infusions)
            + len(self.symptoms)
            + len(self.courses)
            + len(self.medicines)
        )

    @property
    def needs_column_choice(self) -> bool:
        return any(c["chosen"] is None for c in self.column_choices)

    @property
    def result_count(self) -> int:
        return sum(len(d.results) for d in self.draws)

    def refuse_if_too_many(self) -> None:
        """Refuse a file that would add more than MAX_RECORDS results and records.

        Rows and entries are bounded, but a wide row (or a panel) holds a result per test,
        and confirming that many must finish within the worker's timeout (else a 500 with
        nothing saved, on every try).
        """
        count = (
            self.result_count
            + len(self.infusions)
            + len(self.symptoms)
            + len(self.courses)
            + len(self.medicines)
        )
        if count > MAX_RECORDS:
            raise ImportRefused(
                f"The file holds more than {MAX_RECORDS:,} results and records; rlsapp imports "
                f"at most {MAX_RECORDS:,} from one file. Split it, or export a shorter period."
            )

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.errors_dropped

    def remove_unstorable_text(self) -> int:
        """Take what no database can store out of every text kept, with a note; the count.

        Every text of every record (dataclass) in every list, so that kinds of record
        added later are cleaned too; the skipped kinds and the notes as well.
        """
        removed = 0

        def clean(value):
            nonlocal removed
            if isinstance(value, str):
                value, count = _UNSTORABLE.subn("", value)
                removed += count
            elif isinstance(value, list):
                value[:] = [clean(item) for item in value]
            elif isinstance(value, Counter):
                merged = Counter()
                for kind, count in value.items():
                    merged[clean(kind)] += count
                value = merged
            elif is_dataclass(value):
                for name in (f.name for f in fields(value)):
                    setattr(value, name, clean(getattr(value, name)))
            return value

        clean(self)
        if removed:
            self.notes.append(
                f"{removed:,} character(s) no database can store (NUL, or half of a UTF-16 "
                "pair) were removed from the file's text."
            )
        return removed

    def error(self, row: int, column: str, message: str) -> None:
        if len(self.errors) < ERRORS_KEPT:
            self.errors.append(RowError(row, column, message))
        else:
            self.errors_dropped += 1

    def to_json(self) -> dict:
        return {
            "source": self.source,
            "draws": [_dump(asdict(d)) for d in self.draws],
            "infusions": [_dump(asdict(i)) for i in self.infusions],
            "symptoms": [_dump(asdict(s)) for s in self.symptoms],
            "courses": [treatments.dump(c) for c in self.courses],
            "medicines": [treatments.dump(m) for m in self.medicines],
            "errors": [asdict(e) for e in self.errors],
            "errors_dropped": self.errors_dropped,
            "skipped": dict(self.skipped),
            "notes": self.notes,
            "layout": self.layout,
            "date_order": self.date_order,
            "needs_date_order": self.needs_date_order,
            "number_convention": self.number_convention,
            "needs_number_convention": self.needs_number_convention,
            "read_differently": [asdict(e) for e in self.read_differently],
            "unusual": [asdict(e) for e in self.unusual],
            "column_choices": self.column_choices,
            "needs_column_choice": self.needs_column_choice,
        }

    @classmethod
    def from_json(cls, data: dict) -> ParsedImport:
        return cls(
            source=data["source"],
            draws=[
                ParsedDraw(
                    rows=d["rows"],
                    drawn_on=datetime.date.fromisoformat(d["drawn_on"]),
                    lab_name=d["lab_name"],
                    note=d["note"],
                    results=[ParsedResult(**r) for r in d["results"]],
                    after_infusion=d.get("after_infusion", False),
                    left_out_reason=d.get("left_out_reason", ""),
                    left_out_note=d.get("left_out_note", ""),
                )
                for d in data["draws"]
            ],
            infusions=[
                ParsedInfusion(**{**i, "given_on": datetime.date.fromisoformat(i["given_on"])})
                for i in data["infusions"]
            ],
            symptoms=[
                ParsedSymptom(
                    **{
                        **s,
                        "recorded_on": datetime.date.fromisoformat(s["recorded_on"]),
                        "onset_time": s["onset_time"]
                        and datetime.time.fromisoformat(s["onset_time"]),
                    }
                )
                for s in data["symptoms"]
            ],
            courses=[treatments.load_course(c) for c in data.get("courses", [])],
            medicines=[treatments.load_medicine(m) for m in data.get("medicines", [])],
            errors=[RowError(**e) for e in data["errors"]],
            errors_dropped=data.get("errors_dropped", 0),
            skipped=Counter(data["skipped"]),
            notes=data["notes"],
            layout=data["layout"],
            date_order=data["date_order"],
            needs_date_order=data["needs_date_order"],
            number_convention=data.get("number_convention", ""),
            needs_number_convention=data.get("needs_number_convention", False),
            read_differently=[RowError(**e) for e in data.get("read_differently", [])],
            unusual=[RowError(**e) for e in data.get("unusual", [])],
            column_choices=data.get("column_choices", []),
        )


def _dump(value):
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return value
