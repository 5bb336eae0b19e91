"""Numbers and dates read and written the way a region writes them (pure: no Django).

Numbers are read with Babel's strict parser and the region's CLDR symbols, never
guessed: "1,050" is 1050 in the US and 1.05 in Germany. Text that the other
convention reads as a different number is reported with both readings, so a form
can ask which one the report shows before anything is saved.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass
from decimal import Decimal

from babel import Locale
from babel import numbers as babel_numbers

from . import units, written_dates
from .regions import ISO, Region

# The two conventions a typed number can be in besides the region's own.
POINT_LOCALE = "en_US"  # 1,050.5
COMMA_LOCALE = "de_DE"  # 1.050,5
_CONVENTION_NAMES = {POINT_LOCALE: "decimal point", COMMA_LOCALE: "decimal comma"}

_COMPARATOR = re.compile(r"^\s*(<=|>=|≤|≥|<|>)?\s*")
_SPACES = " \u00a0\u202f\u2009"  # space, no-break space, narrow no-break, thin space
_APOSTROPHES = "'’"
_NUMBER_CHARS = set("0123456789.,") | set(_SPACES) | set(_APOSTROPHES)
# A unit typed after the number starts with a letter, micro sign or percent.
_UNIT_START = re.compile(r"[^\W\d_]|[µμ%]")
_EXPONENT = re.compile(r"[eE][-+]?\d")  # 1e5 is not "1" in the unit "e5"


class NumberError(ValueError):
    """Text that is not a number in the region's format.

    `readings` lists what the text means under the other conventions, if anything, so the
    message (and a form) can offer them.
    """

    def __init__(self, message: str, readings: tuple[Decimal, ...] = ()):
        super().__init__(message)
        self.readings = readings


@dataclass(frozen=True)
class Reading:
    text: str  # the number as typed, without comparator and unit
    comparator: str  # "", "<", "<=", ">", ">="
    value: Decimal  # by the region's rules
    others: tuple[Decimal, ...]  # different values the other convention reads
    unit_text: str  # a unit typed after the number, as typed ("" if none)

    @property
    def ambiguous(self) -> bool:
        return bool(self.others)

    @property
    def entered(self) -> str:
        """'<5', '1.050,5': comparator and number as typed, for keeping beside the value."""
        return f"{self.comparator}{self.text}"


def _normalised(text: str, locale: str) -> str | None:
    """`text` with the locale's own symbols only, or None when it uses others.

    A space or an apostrophe is a grouping separator in every region (the SI and Swiss
    ways, common on lab printouts: "1 050", "1'050"); neither is ever a decimal sign, so
    reading it as the region's grouping symbol guesses nothing, and Babel's strict check
    still refuses a misplaced one ("13 1"). Anything else foreign to the locale is refused
    here, because Python's Decimal would accept a '.', '_' or exponent silently.
    """
    group, decimal, _ = symbols(locale)
    text = "".join(group if c in _SPACES or c in _APOSTROPHES else c for c in text)
    if any(not (c.isascii() and c.isdigit()) and c not in (group, decimal) for c in text):
        return None
    return text


MAX_DIGITS = 15


def read_decimal(text: str, locale: str) -> Decimal | None:
    """The number text (without comparator or unit) as the locale writes it, or None: Babel's
    strict reading, grouping symbols where the locale puts them."""
    normal = _normalised(text, locale)
    if normal is None or not any(c.isdigit() for c in normal):
        return None
    # No lab prints more significant digits than this (leading zeros do not count); longer
    # numbers overflow the decimal context when Babel's strict check re-formats them.
    if sum(c.isdigit() for c in normal.lstrip("0")) > MAX_DIGITS:
        return None
    group, decimal, size = symbols(locale)
    whole, sign, fraction = normal.partition(decimal)
    if whole.isdigit() and (not sign or fraction.isdigit()):
        # Digits, or digits either side of one decimal sign: Babel's strict reading without
        # its check by formatting again (tests/domain/test_formats.py holds the two equal).
        return Decimal(f"{whole}.{fraction}" if sign else whole)
    if group in normal and (group in fraction or len(whole.rpartition(group)[2]) != size):
        # That check passes only the locale's own writing, with no grouping symbol after the
        # decimal sign and a whole group after the last: "13.1" is no number in Germany.
        return None
    try:
        value = babel_numbers.parse_decimal(normal, locale=_locale(locale), strict=True)
    except (babel_numbers.NumberFormatError, ArithmeticError):
        return None
    return value if value.is_finite() else None


# Full-width forms (U+FF01-FF5E, and the ideographic space) as a Japanese or Chinese input
# method types them: "４５" is 45, "１２．５" 12.5; the same characters, only wider.
_HALF_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}


def half_width(text: str) -> str:
    return text.translate(_HALF_WIDTH)


def split_typed(text: str) -> tuple[str, str, str]:
    """(comparator, number text, unit text) of '< 38 ng/ml'; number text may be ''."""
    text = half_width(text or "").strip()
    match = _COMPARATOR.match(text)
    comparator = {"≤": "<=", "≥": ">="}.get(match.group(1) or "", match.group(1) or "")
    rest = text[match.end() :]
    cut = 0
    while cut < len(rest) and rest[cut] in _NUMBER_CHARS:
        cut += 1
    return comparator, rest[:cut].strip(), rest[cut:].strip()


def split_number_and_unit(text: str) -> tuple[str, str]:
    """'<1,050.5 µg/L' -> ('<1,050.5', 'µg/L'); text with no number first -> (text, '').

    The number part keeps its grouping and comparator as typed; read it with read_number.
    """
    text = (text or "").strip()
    comparator, number, unit = split_typed(text)
    if not number:
        return text, ""
    cut = len(text) - len(unit) if unit else len(text)
    return text[:cut].strip(), unit


def region_label(region: Region) -> str:
    """'United States (1,050.5; 12/31/2025)': a region with how it writes a number and a date."""
    return f"{region.name} ({format_decimal(1050.5, region, 1)}; {region.dates.example})"


def example_numbers(region: Region) -> str:
    """'1,050.5 or 12.5': how to type a number in the region."""
    return f"{format_decimal(1050.5, region, 1)} or {format_decimal(12.5, region, 1)}"


def read_number(text: str, region: Region) -> Reading:
    """Read a result as typed ('1.050,5', '<5', '38 ng/ml') by the region's rules.

    Raises NumberError naming what was read and what is accepted. Text the region's rules
    refuse but another convention reads ('13,1' in the US) is refused too, with the
    readings offered: the person types it again, the app does not pick one.
    """
    comparator, number, unit_text = split_typed(text)
    shown = (text or "").strip()
    if not number or not_a_unit(unit_text):
        raise NumberError(f"read “{shown}”: {accepted(region)}.")
    value = read_decimal(number, region.locale)
    others: list[Decimal] = []
    for locale in (POINT_LOCALE, COMMA_LOCALE):
        other = read_decimal(number, locale)
        if other is not None and other != value and other not in others:
            others.append(other)
    if value is None:
        if others:
            offered = " or ".join(format_decimal(v, region, None, grouping=False) for v in others)
            raise NumberError(
                f"read “{number}”, which is not a number in the {region.adjective} format "
                f"(for example {example_numbers(region)}); did you mean {offered}?",
                tuple(others),
            )
        raise NumberError(f"read “{shown}”: {accepted(region)}.")
    return Reading(number, comparator, value, tuple(others), unit_text)


def not_a_unit(unit_text: str) -> bool:
    """Whether the text after a number is neither a unit nor flags: 'e3' of '1e3', '#'.

    A printout's flag after the number ('5*', '5 (H)', '12 ↑') is no unit and no typo, so
    the unit, if any, is what stands before the flags."""
    unit = units.without_flags(unit_text)
    return bool(unit and not _UNIT_START.match(unit)) or bool(_EXPONENT.match(unit_text))


def accepted(region: Region) -> str:
    """What read_number accepts, for its refusals and an importer's (written only for one)."""
    return (
        f"enter a number in the {region.adjective} format, for example {example_numbers(region)}, "
        "optionally after < or > and followed by its unit"
    )


def ambiguity_text(reading: Reading, region: Region) -> str:
    """'“1,050” reads as 1050 here and as 1.05 with a decimal comma': for a confirmation."""
    others = []
    for other in reading.others:
        convention = next(
            (n for loc, n in _CONVENTION_NAMES.items() if read_decimal(reading.text, loc) == other),
            "another convention",
        )
        others.append(f"{format_decimal(other, region, None, grouping=False)} with a {convention}")
    own = format_decimal(reading.value, region, None, grouping=False)
    return f"“{reading.text}” is {own} in the {region.adjective} format but {' and '.join(others)}"


def format_decimal(
    value: float | Decimal, region: Region, decimals: int | None, grouping: bool | None = None
) -> str:
    """A number as the region writes it, with at most `decimals` decimals (None: as many as
    it has), trailing zeros dropped; grouping defaults to the region's custom.

    A float is converted exactly, so rounding is the same half-even as Python's own
    formatting of it ('{:.1f}').
    """
    if type(value) in (float, int) and 0 <= value < 1000 and value == int(value):
        # The whole-number shortcut below, before a Decimal is made for it (a table writes
        # one result a row, most of them whole).
        return str(int(value))
    if type(value) is float and decimals is not None and decimals <= 3 and 0 <= value < 1000:
        # The path below without Decimals: '{:.Nf}' rounds a float's exact value half-even,
        # as quantizing Decimal(value) does; normalize()'s rounding to 28 digits first cannot
        # move such a float onto or off a tie (a float below 1000 that is not on a tie at 3
        # or fewer decimals is further from it than the 28th digit).
        whole, _, fraction = f"{value:.{decimals}f}".partition(".")
        if len(whole) <= 3:
            fraction = fraction.rstrip("0")
            return f"{whole}{symbols(region.locale)[1]}{fraction}" if fraction else whole
    if grouping is None:
        grouping = region.grouping
    if decimals is None:
        exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    else:
        exact = value if isinstance(value, Decimal) else Decimal(float(value))
    if exact.is_finite() and 0 <= exact < 1000 and exact == exact.to_integral_value():
        # A whole number below a thousand is its digits in every region (no group to
        # separate, no fraction to write): what the pattern gives, without Babel's
        # per-call work (a table shows one such result per row).
        return str(int(exact))
    if decimals is None:
        decimals = max(0, -exact.normalize().as_tuple().exponent)
    if exact.is_finite() and 0 <= exact < 1000:
        # Below a thousand (after rounding) no group is separated: Babel's steps for the
        # pattern (normalize, round half-even to `decimals`, trailing zeros dropped) with
        # the region's decimal sign, without its per-call pattern and locale lookups (the
        # person page's lab results table writes some fifty such numbers).
        whole, _, fraction = f"{exact.normalize().quantize(_quantum(decimals)):f}".partition(".")
        if len(whole) <= 3:
            fraction = fraction.rstrip("0")
            return f"{whole}{symbols(region.locale)[1]}{fraction}" if fraction else whole
    pattern = ("#,##0" if grouping else "0") + ("." + "#" * decimals if decimals else "")
    # What babel_numbers.format_decimal does, with the parsed locale and pattern kept: parsing
    # them again for every number was most of its cost (a table formats one per row).
    text = _number_pattern(pattern).apply(exact, _locale(region.locale))
    return "0" if text in ("-0", "−0") else text


@functools.lru_cache(maxsize=64)
def _locale(code: str) -> Locale:
    return Locale.parse(code)


@functools.lru_cache(maxsize=64)
def symbols(code: str) -> tuple[str, str, int]:
    """The locale's grouping and decimal symbols, and how many digits it groups."""
    parsed = _locale(code)
    group, decimal = (
        babel_numbers.get_group_symbol(parsed),
        babel_numbers.get_decimal_symbol(parsed),
    )
    return group, decimal, parsed.decimal_formats[None].grouping[0]


@functools.lru_cache(maxsize=64)
def _quantum(decimals: int) -> Decimal:
    return Decimal(10) ** -decimals  # as babel.numbers.get_decimal_quantum


@functools.lru_cache(maxsize=64)
def _number_pattern(pattern: str) -> babel_numbers.NumberPattern:
    return babel_numbers.parse_pattern(pattern)


def format_result(
    analyte_code: str, value: float, comparator: str, region: Region, threshold=None
) -> str:
    """'≤1.050 µg/L': a stored result in its display unit, written the region's way (the
    international region gives exactly units.format_result); never rounded onto or across
    a limit it is flagged against (units.shown_decimals; `threshold`: the person's)."""
    analyte = units.ANALYTES[analyte_code]
    symbol = units.comparator_symbol(comparator)
    decimals = units.shown_decimals(analyte_code, value, threshold)
    return f"{symbol}{format_decimal(value, region, decimals)} {analyte.display_unit}"


# Dates ---------------------------------------------------------------------------------

# Year first is never read another way: ISO's dashes, the slashes and dots of Japanese,
# Chinese, Korean or Hungarian printouts (2025/04/03, 2025.04.03), and 2025年4月3日.
_ISO_DATE = re.compile(r"^(\d{4})(?:([-/.])(\d{1,2})\2(\d{1,2})\.?|年(\d{1,2})月(\d{1,2})日)$")


class DateFormatError(ValueError):
    """Text that is not a date in ISO form or the region's form; the message gives both."""


def _pattern(style) -> re.Pattern:
    groups = {"d": r"(?P<d>\d{1,2})", "m": r"(?P<m>\d{1,2})", "y": r"(?P<y>\d{4})"}
    body = re.escape(style.separator).join(groups[c] for c in style.order)
    return re.compile(f"^{body}$")


def date_hint(region: Region) -> str:
    """'dd.mm.yyyy, for example 31.12.2025': what the date field asks for."""
    return f"{region.dates.pattern}, for example {region.dates.example}"


def parse_date(
    text: str, region: Region, today: datetime.date | None = None, ahead: bool = False
) -> datetime.date:
    """A date typed in the region's format or as ISO yyyy-mm-dd (always unambiguous), or as
    a printout writes it in the region's order with a two-digit year, or with the month in
    words (written_dates; `ahead`: the field takes only days to come, so a two-digit year is
    the next such year, not the last).

    Strict: another order or separator is refused, never read the other way round.
    """
    typed = half_width(text or "").strip()
    iso_hint = "" if region.dates == ISO else f", or as {ISO.example}"
    expected = f"enter it as {date_hint(region)}{iso_hint}"
    if not typed:
        raise DateFormatError(f"the date is missing: {expected}.")
    for pattern in (_ISO_DATE, _pattern(region.dates)):
        match = pattern.match(typed)
        if not match:
            continue
        if pattern is _ISO_DATE:
            year, _sep, *month_day = match.groups()
            month, day = (int(g) for g in month_day if g is not None)
            year = int(year)
        else:
            year, month, day = (int(match.group(c)) for c in "ymd")
        try:
            return datetime.date(year, month, day)
        except ValueError:
            raise DateFormatError(
                f"read “{typed}”, which is not a real date: {expected}."
            ) from None
    # "03.04.25", "3 Apr 2025": one date each once the region's order is known.
    try:
        written = written_dates.read_written_date(
            typed, region, today or datetime.date.today(), ahead
        )
    except ValueError:
        raise DateFormatError(f"read “{typed}”, which is not a real date: {expected}.") from None
    if written is not None:
        return written
    raise DateFormatError(f"read “{typed}”: {expected}.")


def format_date(value: datetime.date | None, region: Region) -> str:
    return region.dates.format(value) if value else ""


# The app's own words in English (it has no translations): the same text as Django's date
# filter and timesince give in English, without their per-call lookups.
MONTHS = (
    "January February March April May June July August September October November December"
).split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()


def long_date(day: datetime.date) -> str:
    """'Monday 3 March 2025', as Django's date filter writes "l j F Y"."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def day_and_month(day: datetime.date) -> str:
    """'3 Mar', as Django's date filter writes "j M"."""
    return f"{day.day} {MONTHS[day.month - 1][:3]}"
