"""Dates as lab printouts write them besides the region's own form (pure: no Django).

A German report prints "03.04.25", a British one "03-Apr-2025", an American one
"Apr 3, 2025". Each of these is one date once the region's order is known: a two-digit
year is the latest year ending in those digits that is not in the future, and a month
named in words (English or the region's language) leaves no order to guess.
"""

from __future__ import annotations

import datetime
import functools
import re

from babel import Locale
from babel import dates as babel_dates

from .regions import Region

_DAY_FIRST = re.compile(r"^(\d{1,2})\.?[\s\-/]*([^\W\d_]+)\.?[\s\-/,]*(\d{4}|\d{2})$")
_MONTH_FIRST = re.compile(r"^([^\W\d_]+)\.?[\s\-/]*(\d{1,2})(?:st|nd|rd|th)?,?[\s\-/]*(\d{4})$")


def _short_year(pattern) -> re.Pattern:
    groups = {"d": r"(?P<d>\d{1,2})", "m": r"(?P<m>\d{1,2})", "y": r"(?P<y>\d{2})"}
    return re.compile(
        "^" + re.escape(pattern.separator).join(groups[c] for c in pattern.order) + "$"
    )


def full_year(two_digits: int, today: datetime.date, ahead: bool = False) -> int:
    """'25' -> 2025 and '75' -> 1975 (in 2026): the latest such year not after today's; or,
    `ahead` (a field that takes only days to come, such as a snooze), the earliest not
    before it: '27' -> 2027."""
    if ahead:
        return today.year + (two_digits - today.year) % 100
    return today.year - (today.year - two_digits) % 100


@functools.lru_cache(maxsize=32)
def _months(locale: str) -> dict[str, int]:
    """Month name or abbreviation (casefolded, no dot) -> month, in English and the locale's
    language; a word two languages give to different months is left out."""
    found: dict[str, set[int]] = {}
    for code in dict.fromkeys(("en", locale)):
        parsed = Locale.parse(code)
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                names = babel_dates.get_month_names(width, context, parsed)
                for month, name in names.items():
                    key = name.casefold().rstrip(".")
                    found.setdefault(key, set()).add(month)
                    if width == "wide":
                        found.setdefault(key[:3], set()).add(month)
    found.setdefault("sept", set()).add(9)
    return {key: next(iter(months)) for key, months in found.items() if len(months) == 1}


def read_written_date(
    text: str, region: Region, today: datetime.date, ahead: bool = False
) -> datetime.date | None:
    """The date `text` writes with a two-digit year in the region's order, or with the month
    in words; None when it is neither. Raises ValueError for such a text that is no real
    date (31 Apr)."""
    if region.dates.order in ("dmy", "mdy"):
        match = _short_year(region.dates).match(text)
        if match:
            year = full_year(int(match.group("y")), today, ahead)
            return datetime.date(year, int(match.group("m")), int(match.group("d")))
    return named_month_date(text, region.locale, today, ahead)


def named_month_date(
    text: str, locale: str, today: datetime.date, ahead: bool = False
) -> datetime.date | None:
    """The date `text` writes with the month in words, in English or the `locale`'s
    language ('3 Apr 2025', 'Apr 3, 2025', '3. März 25'); None when it is none. Raises
    ValueError for such a text that is no real date (31 Apr)."""
    for pattern, day_first in ((_DAY_FIRST, True), (_MONTH_FIRST, False)):
        match = pattern.match(text)
        if not match:
            continue
        day, name, year = match.groups() if day_first else (match[2], match[1], match[3])
        month = _months(locale).get(name.casefold())
        if month is None:
            return None
        number = int(year)
        return datetime.date(
            full_year(number, today, ahead) if len(year) == 2 else number, month, int(day)
        )
    return None
