"""The analyte and unit of a FHIR Observation's value (pure: no Django imports).

The analyte is the LOINC code's, of the Observation or of each of its components (an
iron panel sends iron, TIBC and saturation as components of one Observation).

A valueQuantity's UCUM code is the unit the value is in; its display text only repeats
it. A valueString ("<5") carries its unit in the text, or none: then the reference
range's unit is the one the lab reports in.
"""

from __future__ import annotations

from rlsapp.domain import units

from . import vocab
from .parsed import excerpt

MAX_UNIT = 32


def unit_of(analyte: str, text) -> str | None:
    """The accepted unit a unit text or code spells, or None."""
    if isinstance(text, str) and 0 < len(text) <= MAX_UNIT:
        return vocab.resolve_unit(analyte, text)
    return None


def quantity_unit(analyte: str, quantity: dict) -> tuple[str | None, str]:
    """(accepted unit of a valueQuantity or None, the problem when code and text disagree).

    A UCUM code rlsapp cannot read beside a display text it can, or a code that names
    another unit than the text ("ng/mL" shown over the code "mg/L"), is a problem: the
    text must not stand in for the code, or a value a thousand times off would be stored.
    """
    info = units.ANALYTES[analyte]
    code, text = quantity.get("code"), quantity.get("unit")
    by_code, by_text = unit_of(analyte, code), unit_of(analyte, text)
    unreadable_code = (
        (
            quantity.get("system") in (vocab.UCUM_SYSTEM, None)
            and isinstance(code, str)
            and code != ""
        )
        and by_code is None
        and by_text is not None
    )
    differ = by_code and by_text and info.units[by_code] != info.units[by_text]
    if unreadable_code or differ:
        return None, (
            f"the unit code {excerpt(code, 20)} and the unit {excerpt(text or '', 20)} do not "
            f"name the same unit of {info.label}; accepted: {', '.join(info.units)}."
        )
    # Both name the same unit here: the display's spelling ('µg/L' over the code 'ng/mL')
    # is the one the result was shown in, kept as its entered unit.
    return by_text or by_code, ""


def range_unit(analyte: str, resource: dict) -> str | None:
    """The unit of the Observation's reference range, for a text value that gives none."""
    ranges = resource.get("referenceRange")
    for item in ranges if isinstance(ranges, list) else ():
        for end in ("low", "high"):
            bound = item.get(end) if isinstance(item, dict) else None
            if isinstance(bound, dict):
                unit = unit_of(analyte, bound.get("code")) or unit_of(analyte, bound.get("unit"))
                if unit:
                    return unit
    return None


def analyte_of(code) -> str | None:
    """The analyte a CodeableConcept's LOINC coding names, if rlsapp tracks it."""
    codings = code.get("coding") if isinstance(code, dict) else None
    for coding in codings if isinstance(codings, list) else ():
        if isinstance(coding, dict) and coding.get("system") in (vocab.LOINC_SYSTEM, None):
            analyte = vocab.LOINC_TO_ANALYTE.get(str(coding.get("code")))
            if analyte:
                return analyte
    return None


def tracked_components(resource: dict) -> list[tuple[str, dict]]:
    """(analyte, the component as an Observation of its own) for each tracked component:
    the panel's date, performer and notes with the component's code, value and range."""
    components = resource.get("component")
    found = []
    for component in components if isinstance(components, list) else ():
        analyte = analyte_of(component.get("code")) if isinstance(component, dict) else None
        if analyte:
            own = ("code", "referenceRange")
            part = {k: v for k, v in resource.items() if k not in own and not k.startswith("value")}
            part |= {k: v for k, v in component.items() if k in own or k.startswith("value")}
            found.append((analyte, part))
    return found
