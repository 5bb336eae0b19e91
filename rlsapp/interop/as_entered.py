"""A result's value as the lab printed it, kept through an export and back (pure: no Django
imports).

A result is stored in its analyte's unit beside the text and unit it was typed in ('214,4'
pmol/L, '0,36' L/L); the lab form remembers a lab's units from the latter and the tables
show it. The CSV export has a column for it. A FHIR valueQuantity carries the stored value
in the stored unit, so the Observation carries the typed text and unit in an extension of
rlsapp's own when they are not what the valueQuantity reads back as; the import keeps them
only when they read as the same stored value (the valueQuantity decides the value).
"""

from __future__ import annotations

import math

from rlsapp.domain import conventions, formats, regions, units

from . import vocab

ENTERED_URL = "https://rlsapp.example/fhir/StructureDefinition/result-as-entered"
MAX_ENTERED = 64

# The unit the export's valueQuantity (display unit over UCUM code) reads back as.
_READ_BACK_UNIT = {
    code: vocab.resolve_unit(code, info.display_unit) for code, info in units.ANALYTES.items()
}


def plain(value: float | int) -> str:
    """A JSON number as text without an exponent, as the FHIR import reads it."""
    text = f"{value:.6f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return text or "0"


def extension(result, value: float | int) -> dict | None:
    """The extension for `result` whose valueQuantity holds `value`, or None when the
    import reads the same text and unit back from the valueQuantity alone."""
    if not result.entered_value:
        return None
    read_back = (f"{result.comparator}{plain(value)}", _READ_BACK_UNIT[result.analyte])
    if (result.entered_value, result.entered_unit) == read_back:
        return None
    text = f"{result.entered_value} {result.entered_unit}".strip()
    return {"url": ENTERED_URL, "valueString": text}


def region_that_reads(number_text: str, factor: float, target: float, region):
    """The region, of `region`'s own and the two conventions', whose reading of
    `number_text` times `factor` is `target` (a stored value), or None: tells which
    convention a value was typed in from the value it was stored as."""
    for convention in conventions.CONVENTIONS:
        candidate = conventions.region_for_convention(convention, region)
        try:
            value = float(formats.read_number(number_text, candidate).value) * factor
        except formats.NumberError:
            continue
        if math.isclose(value, target, rel_tol=1e-6, abs_tol=1e-6):
            return candidate
    return None


def read_back(resource: dict, analyte: str, value: float, comparator: str):
    """(entered text, entered unit) from the resource's extension when they read as the
    stored `value` with the same comparator, else None."""
    extensions = resource.get("extension")
    found = next(
        (
            e
            for e in (extensions if isinstance(extensions, list) else ())
            if isinstance(e, dict) and e.get("url") == ENTERED_URL
        ),
        None,
    )
    text = found.get("valueString") if found else None
    if not isinstance(text, str) or not 0 < len(text) <= MAX_ENTERED:
        return None
    number_text, unit_text = formats.split_number_and_unit(text)
    unit = vocab.resolve_unit(analyte, unit_text) if unit_text else None
    factor = units.ANALYTES[analyte].units.get(unit) if unit else None
    if not factor or len(number_text) > MAX_ENTERED:
        return None
    region = region_that_reads(number_text, factor, value, regions.get("intl"))
    if region is None:
        return None
    reading = formats.read_number(number_text, region)
    if reading.comparator != comparator:
        return None
    return reading.entered, unit
