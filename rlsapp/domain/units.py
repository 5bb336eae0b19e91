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
    # usual band in the stored unit: inside the hard limits, a value outside it is possible
    # but rare enough that the form asks to confirm it (a typo or a wrong unit is likelier)
    usual: tuple[float, float] | None = None
    usual_source: str = ""

    def reference_range(self, sex: str = "") -> tuple[float, float] | None:
        return self.reference.get(sex) or self.reference.get("")

    def to_stored(self, value: float, unit: str) -> float:
        return value * self.units[unit]

    def unit_choices(self) -> list[tuple[str, str]]:
        return [(u, u) for u in self.units]


# Why each usual band (shared/domain.md's typical ranges, widened). The edges are the
# app's choice: wide enough that a real result of this population rarely needs a second
# look, narrow enough to catch a wrong unit or a slipped decimal before it is saved.
USUAL_FERRITIN = (
    "Below 15 µg/L iron stores are exhausted (WHO guideline on serum ferritin, 2020), so "
    "single digits occur in RLS; above 1000 µg/L usually means iron overload or inflammation, "
    "and the weeks after an infusion can run high."
)
USUAL_HEMOGLOBIN = (
    "7 g/dL is the restrictive transfusion threshold (AABB guideline, Carson et al., JAMA 2023); "
    "the polycythaemia vera criterion is above 16.5 g/dL in men and 16 g/dL in women (WHO 2016)."
)
USUAL_HEMATOCRIT = (
    "About three times the hemoglobin in g/dL, so the hemoglobin band 7–20 g/dL is 21–60 %; "
    "the polycythaemia vera criterion is above 49 % in men and 48 % in women (WHO 2016)."
)
USUAL_TSAT = (
    "Below 20 % is iron deficiency (AASM 2024); iron is not given at 45 % or more "
    "(IRLSSG 2018, AASM 2024), and far above that is iron overload."
)
USUAL_IRON = (
    "Typical adult range 50–180 µg/dL (shared/domain.md); reads falsely high for about 24 h "
    "after ferric carboxymaltose."
)
USUAL_TIBC = "Typical adult range 250–450 µg/dL (shared/domain.md)."
USUAL_PHOSPHATE = (
    "Typical adult range 2.5–4.5 mg/dL (shared/domain.md); below 1 mg/dL (0.32 mmol/L) is "
    "severe hypophosphataemia, a known risk after ferric carboxymaltose (US label)."
)


# One row per analyte: code, label, LOINC, stored unit (UCUM), stored unit as people read
# it, plausible minimum and maximum, usual band, decimals shown, short label for narrow
# tables. All numbers are in the stored unit.
_ROWS = [
    ("ferritin", "Ferritin", "2276-4", "ng/mL", "µg/L", 0.5, 10000, (5, 1500), 0, ""),
    ("hemoglobin", "Hemoglobin", "718-7", "g/dL", "g/dL", 2, 25, (7, 20), 1, "Hb"),
    ("hematocrit", "Hematocrit", "4544-3", "%", "%", 5, 75, (20, 60), 1, "Hct"),
    ("tsat", "Transferrin saturation", "2502-3", "%", "%", 0.5, 100, (3, 80), 0, "TSAT"),
    ("iron", "Serum iron", "2498-4", "ug/dL", "µg/dL", 2, 1000, (10, 300), 0, "Iron"),
    ("tibc", "TIBC", "2500-7", "ug/dL", "µg/dL", 50, 1000, (150, 600), 0, ""),
    ("phosphate", "Phosphate", "2777-1", "mg/dL", "mg/dL", 0.2, 15, (1, 8), 1, "Phos."),
]
# Accepted units (as shown) -> factor that turns them into the stored unit.
_UNITS = {
    "ferritin": {"µg/L": 1.0, "ng/mL": 1.0, "pmol/L": 1 / 2.247},
    "hemoglobin": {"g/dL": 1.0, "g/L": 0.1, "mmol/L": 1 / 0.6206},
    "hematocrit": {"%": 1.0, "L/L": 100.0},
    "tsat": {"%": 1.0},
    "iron": {"µg/dL": 1.0, "µmol/L": 1 / 0.179},
    "tibc": {"µg/dL": 1.0, "µmol/L": 1 / 0.179},
    "phosphate": {"mg/dL": 1.0, "mmol/L": 1 / 0.3229},
}
# Typical adult range, per sex where it differs.
_REFERENCE = {
    "ferritin": {"": (30, 300)},
    "hemoglobin": {"": (12, 17), "F": (12, 16), "M": (13, 17)},
    "hematocrit": {"": (36, 50), "F": (36, 46), "M": (41, 50)},
    "tsat": {"": (20, 50)},
    "iron": {"": (50, 180)},
    "tibc": {"": (250, 450)},
    "phosphate": {"": (2.5, 4.5)},
}
_USUAL_SOURCE = {
    "ferritin": USUAL_FERRITIN,
    "hemoglobin": USUAL_HEMOGLOBIN,
    "hematocrit": USUAL_HEMATOCRIT,
    "tsat": USUAL_TSAT,
    "iron": USUAL_IRON,
    "tibc": USUAL_TIBC,
    "phosphate": USUAL_PHOSPHATE,
}


def _analyte(code, label, loinc, unit, display_unit, minimum, maximum, usual, decimals, short):
    return Analyte(
        code,
        label,
        loinc,
        unit,
        display_unit,
        _UNITS[code],
        minimum=minimum,
        maximum=maximum,
        reference=_REFERENCE[code],
        usual=usual,
        usual_source=_USUAL_SOURCE[code],
        decimals=decimals,
        short_label=short,
    )


ANALYTES: dict[str, Analyte] = {row[0]: _analyte(*row) for row in _ROWS}

ANALYTE_CHOICES = [(a.code, a.label) for a in ANALYTES.values()]
COMPARATORS = ("<=", ">=", "<", ">")
COMPARATOR_CHOICES = [("", "="), ("<", "<"), ("<=", "≤"), (">", ">"), (">=", "≥")]

# Matched against stripped text: optional spaces on both sides of an optional comparator
# would be tried in every split of a long run of spaces (quadratic).
_NUMBER = re.compile(r"(?:(<=|>=|≤|≥|<|>)\s*)?([0-9]+(?:[.,][0-9]+)?|[.,][0-9]+)")


def unit_key(text: str) -> str:
    """A spelling-independent key: 'µg/L', 'ug/l', 'mcg/L' and 'ug l' all give 'ug/l'."""
    key = (text or "").strip().lower()
    # "mcg/dL (calc)": a US portal's mark that the lab computed it (TIBC, TSAT), not a unit.
    for mark in ("(calc)", "(calculated)"):
        key = key.removesuffix(mark).strip()
    if key in ("percent", "pct", "procent", "prozent"):
        return "%"
    key = key.translate(str.maketrans("µμ", "uu")).replace("mcg", "ug")
    # Words, not a pattern: "\s*/\s*" is tried from every space of a long run (quadratic).
    words = key.split()
    words = ["/" if w == "per" and 0 < i < len(words) - 1 else w for i, w in enumerate(words)]
    joined = "".join(words)
    key = joined if "/" in joined else "/".join(words)
    return key.replace("100ml", "dl").replace("liter", "l").replace("litre", "l")


# Extra spellings per analyte that are not a mere respelling of an accepted unit.
_EXTRA_UNITS: dict[str, dict[str, str]] = {
    "ferritin": {"ug/l": "µg/L", "ng/ml": "ng/mL"},
    "hematocrit": {"fraction": "L/L", "ratio": "L/L", "1": "L/L", "vol%": "%"},
}


def resolve_unit(analyte_code: str, text: str) -> str | None:
    """The accepted unit of the analyte that `text` spells, or None if unknown."""
    key = unit_key(text)
    for accepted in ANALYTES[analyte_code].units:
        if unit_key(accepted) == key:
            return accepted
    return _EXTRA_UNITS.get(analyte_code, {}).get(key)


# Flags labs print after a value ("12 L", "350 H", "12*", "12 ng/mL ↓"): they say how
# the value compares with the range, never what it is, so they are left out of its unit.
_FLAGS = {"h", "l", "hh", "ll", "a", "aa", "*", "**", "!", "↑", "↓", "high", "low"}
# A US portal's mark that the lab computed the value ('30 (calc)'), left out the same way.
_FLAGS |= {"calc", "calculated"}


def without_flags(unit_text: str) -> str:
    """'ng/mL L' -> 'ng/mL'; 'H' -> '': the unit after a value without the flags after it."""
    words = unit_text.split()
    while words and words[-1].strip("()[]").casefold() in _FLAGS:
        words.pop()
    if words and words[-1].endswith("*") and words[-1].rstrip("*"):
        words[-1] = words[-1].rstrip("*")
    return " ".join(words)


class UnitError(ValueError):
    """A value or unit the app cannot accept; the message names the range.

    `suggestions` lists (unit, stored value) pairs in which the typed number would be a
    usual value, so a form can offer the likely fix.
    """

    def __init__(self, message: str, suggestions: tuple[tuple[str, float], ...] = ()):
        super().__init__(message)
        self.suggestions = suggestions


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
    """'<5' -> ('<', 5.0); '12,5' -> ('', 12.5). Raises UnitError on anything else.

    Only for text the app writes itself (the demo seed, tests), with no grouping separator:
    it reads any comma as a decimal point. What people type or files hold is read by
    domain.formats.read_number, by a region's rules ("1,050" is 1050 in the US).
    """
    match = _NUMBER.fullmatch((text or "").strip())
    if not match:
        raise UnitError("Enter a number, optionally after < or > (for example 12.5 or <5).")
    comparator = {"≤": "<=", "≥": ">="}.get(match.group(1) or "", match.group(1) or "")
    return comparator, float(match.group(2).replace(",", "."))


def measure(analyte_code: str, text: str, unit: str) -> Measurement:
    """Parse and convert one result the app wrote itself (see parse_number), or raise
    UnitError; typed and imported values go through domain.entry.check_value."""
    comparator, number = parse_number(text)
    return measure_number(analyte_code, number, unit, comparator, text.strip())


def measure_number(
    analyte_code: str, number: float, unit: str, comparator: str = "", entered: str = ""
) -> Measurement:
    """Convert a number already read (by the account's region) in `unit`, or raise UnitError.

    A number outside the hard limits is refused; where it would be a usual value in another
    unit of the analyte the message says so ("131 looks like g/L: 13.1 g/dL?").
    """
    analyte = ANALYTES[analyte_code]
    if unit not in analyte.units:
        raise UnitError(
            f"{analyte.label}: unknown unit {unit!r}; accepted: {', '.join(analyte.units)}."
        )
    number = float(number)
    value = analyte.to_stored(number, unit)
    if not analyte.minimum <= value <= analyte.maximum:
        low = format_value(analyte_code, analyte.minimum / analyte.units[unit], precise=True)
        high = format_value(analyte_code, analyte.maximum / analyte.units[unit], precise=True)
        suggestions = other_unit_readings(analyte_code, number, unit)
        raise UnitError(
            f"{analyte.label} must be between {low} and {high} {unit}."
            + suggestion_text(analyte_code, number, unit, suggestions),
            suggestions,
        )
    return Measurement(analyte_code, value, comparator, entered or f"{number:g}", unit)


def other_unit_readings(
    analyte_code: str, number: float, unit: str
) -> tuple[tuple[str, float], ...]:
    """(unit, stored value) for each other unit in which `number` is a usual value."""
    analyte = ANALYTES[analyte_code]
    if analyte.usual is None:
        return ()
    low, high = analyte.usual
    found = []
    for other, factor in analyte.units.items():
        if factor == analyte.units.get(unit):
            continue  # same number in another spelling (ng/mL and µg/L)
        stored = number * factor
        if low <= stored <= high:
            found.append((other, stored))
    return tuple(found)


def suggestion_text(
    analyte_code: str, number: float, unit: str, suggestions: tuple[tuple[str, float], ...]
) -> str:
    """' 131 looks like g/L: 13.1 g/dL?' for the first suggestion, '' without one."""
    if not suggestions:
        return ""
    other, stored = suggestions[0]
    typed = format_value(analyte_code, number, precise=True)
    analyte = ANALYTES[analyte_code]
    if unit in analyte.units:
        same = format_value(analyte_code, stored / analyte.units[unit], precise=True)
        return f" {typed} looks like {other}: {same} {unit}?"
    return f" {typed} looks like {other}?"


def is_unusual(analyte_code: str, value: float) -> bool:
    """Outside the usual band (stored unit): possible, but worth a second look before saving."""
    band = ANALYTES[analyte_code].usual
    return band is not None and not band[0] <= value <= band[1]


# The AASM 2024 iron criterion (ferritin ≤ 75 µg/L), a dotted line on the chart.
AASM_FERRITIN = 75
MAX_SHOWN_DECIMALS = 3


def _limits(analyte: Analyte) -> tuple[float, ...]:
    return tuple(sorted({end for band in analyte.reference.values() for end in band}))


_LIMITS = {code: _limits(analyte) for code, analyte in ANALYTES.items()}


def shown_decimals(analyte_code: str, value: float, threshold: float | None = None) -> int:
    """The decimals a value is shown with: its analyte's, or more (up to 3) where rounding
    to them would put it on or across a limit it is flagged or drawn against (a reference
    range's end, the person's ferritin threshold, 75 µg/L), so that a typed 99.6 µg/L is
    not shown '100' beside 'below threshold 100', nor Hb 11.96 as '12' beside 'below range
    12–16'."""
    decimals = ANALYTES[analyte_code].decimals
    if value == int(value):  # whole: no rounding (most results)
        return decimals
    limits = _LIMITS[analyte_code]
    if analyte_code == "ferritin":
        limits += (AASM_FERRITIN,) if threshold is None else (AASM_FERRITIN, threshold)
    while decimals < MAX_SHOWN_DECIMALS:
        shown = round(value, decimals)
        if all((value < x) == (shown < x) and (value > x) == (shown > x) for x in limits):
            break
        decimals += 1
    return decimals


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


_SYMBOLS = dict(COMPARATOR_CHOICES)


def comparator_symbol(comparator: str) -> str:
    """'≤' for '<=', '' for an exact value: the one way a bound is written."""
    return _SYMBOLS.get(comparator, "") if comparator else ""


def format_result(analyte_code: str, value: float, comparator: str = "") -> str:
    """'<5 µg/L': the stored value with its comparator and unit, never rounded onto or
    across a limit (shown_decimals)."""
    symbol = comparator_symbol(comparator)
    unit = ANALYTES[analyte_code].display_unit
    text = f"{value:.{shown_decimals(analyte_code, value)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{symbol}{text} {unit}"


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
