"""One class per imported field: what its cell may hold and what it becomes (pure).

In the manner of pretix's modelimport: each column names the header role it reads and
cleans one cell into a value, or raises CellError with the message for the person;
the readers (readers.py) say which row and which header the message belongs to.
Lab values are read by readers.LabReader, because how a number reads depends on the
whole file (its number convention) and on the unit columns beside it.
"""

from __future__ import annotations

import datetime
import re

from rlsapp.domain import products, rules

from .. import vocab
from ..parsed import excerpt
from .headers import MAX_HEADER, RECORD_KINDS
from .treatments import CELL_LIMITS as TREATMENT_LIMITS

MAX_TEXT = 120  # lab name and "other product" columns hold at most this much
MAX_NOTE = 5000
MAX_ENTERED_VALUE = 32  # tracking.LabResult.entered_value: the value as the lab printed it
DOSE_RANGE_MG = (products.MIN_DOSE_MG, products.MAX_DOSE_MG)
# Every cell is measured before any pattern reads it, so that no cell can make
# parsing slower than linear: the longest header, and the longest cell per column role.
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
    **TREATMENT_LIMITS,
}


class CellError(ValueError):
    """A cell this column cannot use; the message says what is accepted."""


class ImportColumn:
    role = ""  # the header role (headers.ROLE_HEADERS) this column reads
    label = ""  # the column an error names when the file has no such column

    def header(self, cols) -> str:
        return cols.header(self.role) if self.role in cols.roles else self.label

    def clean(self, text: str):
        return text


class RecordKind(ImportColumn):
    role, label = "record", "Record"

    def clean(self, text: str) -> str:
        kind = RECORD_KINDS.get(vocab.normalise_name(text))
        if kind is None:
            raise CellError(
                f"unknown record type {text!r}: use lab, infusion, symptom, oral iron, "
                "medicine or medicine event."
            )
        return kind


class LabName(ImportColumn):
    role, label = "lab", "Lab"

    def clean(self, text: str) -> str:
        if len(text) > MAX_TEXT:
            raise CellError(f"at most {MAX_TEXT} characters.")
        return text


class LongText(ImportColumn):
    """A note or a reaction: kept up to MAX_NOTE characters, never refused."""

    def __init__(self, role: str):
        self.role = self.label = role

    def clean(self, text: str) -> str:
        return text[:MAX_NOTE]


class Calculated(ImportColumn):
    role, label = "calculated", "Calculated"

    def clean(self, text: str) -> bool:
        return vocab.normalise_name(text) in ("yes", "true", "1")


class AfterInfusion(ImportColumn):
    """Whether a draw on an infusion's day was taken after it (the chart's "after")."""

    role, label = "after_infusion", "After infusion"

    def clean(self, text: str) -> bool:
        key = vocab.normalise_name(text)
        if key in ("yes", "true", "1", "x", "after"):
            return True
        if key in ("", "no", "false", "0", "before"):
            return False
        raise CellError(f"read {excerpt(text)}; write yes, or leave it empty (no).")


class LeftOut(ImportColumn):
    """Why a draw is left out of the decline fits: a reason's words or code, or empty."""

    role, label = "left_out", "Left out of fits"

    def clean(self, text: str) -> str:
        reason = rules.left_out_reason(text)
        if reason is None:
            accepted = ", ".join(words for _code, words in rules.LEFT_OUT_CHOICES)
            raise CellError(f"read {excerpt(text)}; accepted: {accepted}, or empty.")
        return reason


class Product(ImportColumn):
    role, label = "product", "Product"

    def clean(self, text: str, other: str = "") -> tuple[str, str]:
        """(product code, other product name) from the product and "other product" cells."""
        if not text:
            raise CellError("name the iron product (for example FCM).")
        product = vocab.product_for_name(text)
        if product is None:
            product, other = "other", other or text
        if product == "other" and not other:
            raise CellError("name the product when it is “Other”.")
        if len(other) > MAX_TEXT:
            raise CellError(f"at most {MAX_TEXT} characters.")
        return product, other if product == "other" else ""


class Dose(ImportColumn):
    role, label = "dose", "Dose"

    def clean(self, text: str, factor: float = 1.0) -> int:
        """Whole mg; `factor` is the header's unit (1000 for a "Dose (g)" column).

        "1,000 mg" and "1.000 mg" are a thousand mg as US and German labs print it, never
        1 mg: of the two readings of a grouped number (thousands, or a decimal sign) the
        one that is a whole dose in range is taken; the two cannot both be one.
        """
        low, high = DOSE_RANGE_MG
        message = f"read {excerpt(text)}; enter the dose in mg, from {low} to {high}."
        # Stripped first: optional spaces on both sides of "mg" would backtrack.
        match = re.match(
            r"([0-9]{1,3}(?:[,.' ][0-9]{3})+|[0-9]+(?:[.,][0-9]+)?)\s*(mg|g)?$",
            text.strip(),
            re.I,
        )
        if not match:
            raise CellError(message)
        cell_unit = (match.group(2) or "").lower()
        factor = {"g": 1000.0, "mg": 1.0}.get(cell_unit, factor)
        number = match.group(1)
        readings = set()
        if re.fullmatch(r"[0-9]{1,3}(?:[,.' ][0-9]{3})+", number):
            readings.add(float(re.sub(r"[,.' ]", "", number)))  # grouped thousands
        if re.fullmatch(r"[0-9]+(?:[.,][0-9]+)?", number):
            readings.add(float(number.replace(",", ".")))  # a decimal sign, or none
        doses = {d * factor for d in readings}
        doses = {d for d in doses if low <= d <= high and d == int(d)}
        if len(doses) != 1:
            raise CellError(message)
        return int(doses.pop())


class Severity(ImportColumn):
    role, label = "severity", "Severity"

    def clean(self, text: str) -> int:
        # Stripped first: optional spaces on both sides of "/ 10" would backtrack.
        match = re.match(r"([0-9]{1,2})(?:[.,]0+)?\s*(?:/\s*10)?$", text.strip())
        if not match or not 0 <= int(match.group(1)) <= 10:
            raise CellError("severity: enter a whole number from 0 to 10.")
        return int(match.group(1))


class Onset(ImportColumn):
    role, label = "onset", "Onset"

    def clean(self, text: str) -> datetime.time | None:
        if not text:
            return None
        match = re.match(r"^\s*(\d{1,2})[:.h](\d{2})(?::\d{2})?\s*$", text)
        try:
            if not match:
                raise ValueError
            return datetime.time(int(match.group(1)), int(match.group(2)))
        except ValueError:
            raise CellError("onset: enter a time like 21:30.") from None
