"""One typed lab result checked the way the form and the importer both need (pure).

Reads the number by the account's region, takes a unit typed with it ("38 ng/ml"),
converts it, and lists what must be confirmed before saving: a number the other
convention reads differently, a value outside the usual band (with the unit it
would be usual in). Refusals (not a number, unknown unit, outside the hard limits)
are raised; questions are returned, because the person may answer them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from . import formats, units
from .regions import Region


@dataclass(frozen=True)
class Question:
    kind: str  # "reading": the other convention reads another number; "unusual": outside band
    message: str
    # for "unusual": (unit, stored value) pairs in which the typed number is usual
    suggestions: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class CheckedResult:
    measurement: units.Measurement
    reading: formats.Reading
    questions: tuple[Question, ...]


def unit_for(analyte_code: str, reading: formats.Reading, chosen_unit: str) -> str:
    """The unit typed after the number, if any, else the one chosen; raises UnitError."""
    unit_text = units.without_flags(reading.unit_text)  # "12 L" from a printout: a flag
    if not unit_text:
        return chosen_unit
    unit = units.resolve_unit(analyte_code, unit_text)
    if unit is None:
        analyte = units.ANALYTES[analyte_code]
        raise units.UnitError(
            f"read the unit “{unit_text}”, which is not a unit of {analyte.label}; "
            f"accepted: {', '.join(analyte.units)}."
        )
    return unit


def check_result(analyte_code: str, text: str, chosen_unit: str, region: Region) -> CheckedResult:
    """Read and convert one result; raises formats.NumberError or units.UnitError."""
    reading = formats.read_number(text, region)
    unit = unit_for(analyte_code, reading, chosen_unit)
    measurement, unusual = check_value(
        analyte_code, reading.value, unit, reading.comparator, reading.entered, region
    )
    questions = []
    if reading.ambiguous:
        questions.append(
            Question(
                "reading", formats.ambiguity_text(reading, region) + ": which is on the report?"
            )
        )
    if unusual:
        questions.append(unusual)
    return CheckedResult(measurement, reading, tuple(questions))


def within_limits(analyte_code: str, number, unit: str) -> bool:
    analyte = units.ANALYTES[analyte_code]
    factor = analyte.units.get(unit)
    return factor is not None and analyte.minimum <= float(number) * factor <= analyte.maximum


def check_value(
    analyte_code: str, number: Decimal, unit: str, comparator: str, entered: str, region: Region
) -> tuple[units.Measurement, Question | None]:
    """Convert a number already read, with its 'unusual' question if it has one; raises
    units.UnitError outside the hard limits, pointing at a likely unit."""
    analyte = units.ANALYTES[analyte_code]
    if unit in analyte.units and not within_limits(analyte_code, number, unit):
        raise units.UnitError(
            _limits_text(analyte_code, number, unit, region),
            units.other_unit_readings(analyte_code, float(number), unit),
        )
    measurement = units.measure_number(analyte_code, float(number), unit, comparator, entered)
    if not (measurement.is_exact and units.is_unusual(analyte_code, measurement.value)):
        return measurement, None
    shown = formats.format_decimal(number, region, None)
    suggestions = units.other_unit_readings(analyte_code, float(number), unit)
    message = (
        f"{shown} {unit} is outside the usual {usual_text(analyte_code, unit, region)} "
        "for this test: check the report."
    )
    if suggestions:
        message += " " + unit_fix_text(analyte_code, number, unit, suggestions[0], region)
    return measurement, Question("unusual", message, suggestions)


def _limits_text(analyte_code: str, number: Decimal, unit: str, region: Region) -> str:
    """The hard-limit refusal, in the region's way, pointing at a likely unit."""
    analyte = units.ANALYTES[analyte_code]
    factor = analyte.units[unit]
    decimals = analyte.decimals + 1
    low = formats.format_decimal(analyte.minimum / factor, region, decimals)
    high = formats.format_decimal(analyte.maximum / factor, region, decimals)
    message = f"{analyte.label} must be between {low} and {high} {unit}."
    suggestions = units.other_unit_readings(analyte_code, float(number), unit)
    if suggestions:
        message += " " + unit_fix_text(analyte_code, number, unit, suggestions[0], region)
    else:
        # What was read, so that a slipped digit or decimal sign shows ("read 0,22 %").
        message += f" Read: {formats.format_decimal(number, region, None)} {unit}."
    return message


def usual_text(analyte_code: str, unit: str, region: Region) -> str:
    """'5–1.500 µg/L': the usual band in the typed unit, written the region's way."""
    analyte = units.ANALYTES[analyte_code]
    low, high = analyte.usual or (analyte.minimum, analyte.maximum)
    factor = analyte.units.get(unit, 1.0)
    decimals = analyte.decimals + 1
    return (
        f"{formats.format_decimal(low / factor, region, decimals)}–"
        f"{formats.format_decimal(high / factor, region, decimals)} {unit}"
    )


def unit_fix_text(
    analyte_code: str,
    number: Decimal,
    unit: str,
    suggestion: tuple[str, float],
    region: Region,
) -> str:
    """'131 looks like g/L: 13,1 g/dL?' written the region's way."""
    other, stored = suggestion
    analyte = units.ANALYTES[analyte_code]
    same = stored / analyte.units[unit]
    typed = formats.format_decimal(number, region, None)
    converted = formats.format_decimal(same, region, analyte.decimals + 1)
    return f"{typed} looks like {other}: {converted} {unit}?"


@dataclass(frozen=True)
class Reread:
    """A stored result whose text as entered reads differently under the region's rules."""

    entered: str
    stored: float  # what was saved, in the stored unit
    # stored-unit values the text has now: the region's first; empty when it refuses the text
    readings: tuple[float, ...]


def reread(
    analyte_code: str, entered: str, entered_unit: str, stored: float, region: Region
) -> Reread | None:
    """None when `entered` still reads as `stored`; else what it reads as now.

    Before regions every comma was a decimal point ('1,050' was saved as 1.05); results
    saved that way are listed for their owner to confirm or correct, never changed here.
    """
    analyte = units.ANALYTES[analyte_code]
    factor = analyte.units.get(entered_unit)
    if factor is None or not entered:
        return None
    try:
        reading = formats.read_number(entered, region)
        values, refused = (reading.value, *reading.others), False
    except formats.NumberError as error:
        values, refused = error.readings, True
    converted = tuple(float(v) * factor for v in values)
    same = [math.isclose(v, stored, rel_tol=1e-9) for v in converted]
    # read the same way now; or refused, but its only other reading is what was saved
    if (not refused and same[0]) or (refused and same == [True]):
        return None
    return Reread(entered, stored, converted)
