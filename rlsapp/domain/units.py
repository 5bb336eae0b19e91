"""Analytes, their units and plausible bounds (pure: no Django imports).

Facts from shared/domain.md ("Units and codes"). Every value is stored in one
unit per analyte (UCUM spelling, `u` for micro) while the value and unit the
lab printed are kept beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Analyte:
    code: str
    label: str
    loinc: str
    unit: str  # stored unit, UCUM
    display_unit: str  # stored unit as people read it
    # accepted unit (as shown) -> factor that turns it into the stored unit
    units: dict[str, float]
    # plausible bounds in the stored unit: outside them a value is refused as a typo
    minimum: float
    maximum: float
    # typical adult range in the stored unit; per sex where it differs
    reference: dict[str, tuple[float, float]] = field(default_factory=dict)
    decimals: int = 1
    short_label: str = ""  # for narrow tables, where the label is long

    def reference_range(self, sex: str = "") -> tuple[float, float] | None:
        return self.reference.get(sex) or self.reference.get("")

    def to_stored(self, value: float, unit: str) -> float:
        return value * self.units[unit]

    def unit_choices(self) -> list[tuple[str, str]]:
        return [(u, u) for u in self.units]


ANALYTES: dict[str, Analyte] = {
    a.code: a
    for a in [
        Analyte(
            "ferritin",
            "Ferritin",
            "2276-4",
            "ng/mL",
            "µg/L",
            {"µg/L": 1.0, "ng/mL": 1.0, "pmol/L": 1 / 2.247},
            minimum=0.5,
            maximum=10000,
            reference={"": (30, 300)},
            decimals=0,
        ),
        Analyte(
            "hemoglobin",
            "Hemoglobin",
            "718-7",
            "g/dL",
            "g/dL",
            {"g/dL": 1.0, "g/L": 0.1, "mmol/L": 1 / 0.6206},
            minimum=2,
            maximum=25,
            reference={"": (12, 17), "F": (12, 16), "M": (13, 17)},
            short_label="Hb",
        ),
        Analyte(
            "hematocrit",
            "Hematocrit",
            "4544-3",
            "%",
            "%",
            {"%": 1.0, "L/L": 100.0},
            minimum=5,
            maximum=75,
            reference={"": (36, 50), "F": (36, 46), "M": (41, 50)},
            short_label="Hct",
        ),
        Analyte(
            "tsat",
            "Transferrin saturation",
            "2502-3",
            "%",
            "%",
            {"%": 1.0},
            minimum=0.5,
            maximum=100,
            reference={"": (20, 50)},
            decimals=0,
            short_label="TSAT",
        ),
        Analyte(
            "iron",
            "Serum iron",
            "2498-4",
            "ug/dL",
            "µg/dL",
            {"µg/dL": 1.0, "µmol/L": 1 / 0.179},
            minimum=2,
            maximum=1000,
            reference={"": (50, 180)},
            decimals=0,
            short_label="Iron",
        ),
        Analyte(
            "tibc",
            "TIBC",
            "2500-7",
            "ug/dL",
            "µg/dL",
            {"µg/dL": 1.0, "µmol/L": 1 / 0.179},
            minimum=50,
            maximum=1000,
            reference={"": (250, 450)},
            decimals=0,
        ),
        Analyte(
            "phosphate",
            "Phosphate",
            "2777-1",
            "mg/dL",
            "mg/dL",
            {"mg/dL": 1.0, "mmol/L": 1 / 0.3229},
            minimum=0.2,
            maximum=15,
            reference={"": (2.5, 4.5)},
            short_label="Phos.",
        ),
    ]
}

ANALYTE_CHOICES = [(a.code, a.label) for a in ANALYTES.values()]
COMPARATORS = ("<=", ">=", "<", ">")
COMPARATOR_CHOICES = [("", "="), ("<", "<"), ("<=", "≤"), (">", ">"), (">=", "≥")]

_NUMBER = re.compile(r"^\s*(<=|>=|≤|≥|<|>)?\s*([0-9]+(?:[.,][0-9]+)?|[.,][0-9]+)\s*$")


class UnitError(ValueError):
    """A value or unit the app cannot accept; the message names the range."""


@dataclass(frozen=True)
class Measurement:
    analyte: str
    value: float  # in the stored unit
    comparator: str  # "", "<", "<=", ">", ">="
    entered_value: str  # as typed, e.g. "<5" or "12,5"
    entered_unit: str

    @property
    def is_exact(self) -> bool:
        return not self.comparator


def parse_number(text: str) -> tuple[str, float]:
    """'<5' -> ('<', 5.0); '12,5' -> ('', 12.5). Raises UnitError on anything else."""
    match = _NUMBER.match(text or "")
    if not match:
        raise UnitError("Enter a number, optionally after < or > (for example 12.5 or <5).")
    comparator = {"≤": "<=", "≥": ">="}.get(match.group(1) or "", match.group(1) or "")
    return comparator, float(match.group(2).replace(",", "."))


def measure(analyte_code: str, text: str, unit: str) -> Measurement:
    """Parse and convert one result as a lab printed it, or raise UnitError."""
    analyte = ANALYTES[analyte_code]
    if unit not in analyte.units:
        raise UnitError(
            f"{analyte.label}: unknown unit {unit!r}; accepted: {', '.join(analyte.units)}."
        )
    comparator, number = parse_number(text)
    value = analyte.to_stored(number, unit)
    if not analyte.minimum <= value <= analyte.maximum:
        low = format_value(analyte_code, analyte.minimum / analyte.units[unit], precise=True)
        high = format_value(analyte_code, analyte.maximum / analyte.units[unit], precise=True)
        raise UnitError(f"{analyte.label} must be between {low} and {high} {unit}.")
    return Measurement(analyte_code, value, comparator, text.strip(), unit)


def format_value(analyte_code: str, value: float, precise: bool = False) -> str:
    decimals = ANALYTES[analyte_code].decimals + (1 if precise else 0)
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def transferrin_saturation(iron_ug_dl: float, tibc_ug_dl: float) -> float:
    """TSAT (%) = serum iron / TIBC × 100, both in the same unit."""
    if tibc_ug_dl <= 0:
        raise UnitError("TIBC must be above 0 to compute transferrin saturation.")
    return iron_ug_dl / tibc_ug_dl * 100


def format_result(analyte_code: str, value: float, comparator: str = "") -> str:
    """'<5 µg/L': the stored value with its comparator and unit."""
    symbol = dict(COMPARATOR_CHOICES).get(comparator, "") if comparator else ""
    unit = ANALYTES[analyte_code].display_unit
    return f"{symbol}{format_value(analyte_code, value)} {unit}"


def flag(
    analyte_code: str, value: float, sex: str = "", threshold: float | None = None
) -> tuple[str, str]:
    """('low' | 'high' | '', why) against the ferritin threshold, then the reference range."""
    if analyte_code == "ferritin" and threshold is not None and value < threshold:
        return "low", f"below threshold {threshold:g}"
    bounds = ANALYTES[analyte_code].reference_range(sex)
    if bounds and value < bounds[0]:
        return "low", f"below range {bounds[0]:g}–{bounds[1]:g}"
    if bounds and value > bounds[1]:
        return "high", f"above range {bounds[0]:g}–{bounds[1]:g}"
    return "", ""
