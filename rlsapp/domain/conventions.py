"""Which convention a file's numbers are written in: a decimal point (1,050.5) or a
decimal comma (1.050,5), decided by the cells only one of them reads, else asked (pure: no
Django). A single number typed in a form is read by the account's region (formats)."""

from __future__ import annotations

from decimal import Decimal

from . import formats
from .regions import REGIONS, Region

_REFERENCE = {"point": REGIONS["US"], "comma": REGIONS["DE"]}

CONVENTIONS = {
    "point": "Decimal point (1,050.5)",
    "comma": "Decimal comma (1.050,5)",
}


def convention_of(region: Region) -> str:
    """'point' or 'comma': the decimal symbol the region writes."""
    return "comma" if formats.symbols(region.locale)[1] == "," else "point"


def region_for_convention(convention: str, region: Region) -> Region:
    """The account's region when it writes numbers as the convention does (its decimal and
    grouping symbols), else a plain reference one: a German account importing a US lab's
    file reads it as en_US does. A Swiss account (1'050.5) reads a decimal-point file as
    en_US too, and a Swedish one (1 050,5) a decimal-comma file as de_DE: the convention
    is "1,050.5" or "1.050,5", and their own grouping refused those ('1,050.5' was an
    error in a Swiss account). Spaces and apostrophes group in every reading."""
    reference = _REFERENCE[convention]
    if (
        convention_of(region) == convention
        and formats.symbols(region.locale)[0] == formats.symbols(reference.locale)[0]
    ):
        return region
    return reference


def choose_convention(texts, requested: str, region: Region) -> tuple[str, bool]:
    """(convention to use, whether the person must choose) for the number cells of a file.

    Like the date order: a cell that only one convention reads ('12,5', '1,050.5') decides;
    cells that both read the same ('64', '12.5' for point, as German refuses it) say nothing.
    When nothing decides and some cell reads differently under the two ('1,050' alone), the
    person chooses; the account's convention is preselected.
    """
    if requested in CONVENTIONS:
        return requested, False
    hints: set[str] = set()
    differs = False
    for text in texts:
        number = formats.split_typed(text)[1]
        point = formats.read_decimal(number, formats.POINT_LOCALE) if number else None
        comma = formats.read_decimal(number, formats.COMMA_LOCALE) if number else None
        if point is not None and comma is None:
            hints.add("point")
        elif comma is not None and point is None:
            hints.add("comma")
        elif point is not None and point != comma:
            differs = True
    if len(hints) == 1:
        return hints.pop(), False
    own = convention_of(region)
    return own, bool(hints) or differs


def read_differently(texts, convention: str, region: Region) -> list[tuple[str, Decimal, Decimal]]:
    """(text, value read, value under the other convention) for each cell the two read apart."""
    chosen = region_for_convention(convention, region)
    found = []
    for text in texts:
        try:
            reading = formats.read_number(text, chosen)
        except formats.NumberError:
            continue
        if reading.ambiguous:
            found.append((text, reading.value, reading.others[0]))
    return found
