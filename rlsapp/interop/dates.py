"""Dates as people and labs write them (pure: no Django imports).

ISO dates are never ambiguous. "03/04/2024" is 3 April in most of the world and
March 4 in the US: the order is read from the file where a day above 12 gives
it away, and otherwise the person chooses.
"""

from __future__ import annotations

import datetime
import re

from rlsapp.domain import rules, written_dates

from .parsed import too_long

EARLIEST_DATE = rules.EARLIEST_DATE

DATE_ORDERS = {
    "auto": "Work it out (ask me if unclear)",
    "dmy": "Day first (31.12.2024, 31/12/2024)",
    "mdy": "Month first (12/31/2024)",
}

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T\s])")
# yyyymmdd, as HL7-fed portals export it, maybe with hhmm[ss] after: never ambiguous.
_COMPACT = re.compile(r"^((?:19|20)\d{2})(\d{2})(\d{2})(?:\d{4}(?:\d{2})?)?(?:$|[T\s.+\-])")
_NUMERIC = re.compile(r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?:$|[T\s,])")
# The longest date cell read ("2024-03-31T08:15:00.000+02:00" is 29): a longer cell is
# refused before any pattern looks at it.
MAX_DATE_LENGTH = 40


class DateError(ValueError):
    pass


def _year(text: str, today: datetime.date) -> int:
    # A two-digit year as the date fields read one (the latest such year not after today).
    return written_dates.full_year(int(text), today) if len(text) == 2 else int(text)


def _checked(year: int, month: int, day: int, text: str, today: datetime.date) -> datetime.date:
    try:
        value = datetime.date(year, month, day)
    except ValueError:
        raise DateError(f"{text!r} is not a real date.") from None
    problem = rules.date_problem(value, today)
    if problem:
        raise DateError(f"{text!r} {problem}.")
    return value


def order_hint(text: str) -> str:
    """What one date cell says about the order: 'dmy', 'mdy', 'either' or '' (not numeric)."""
    text = text.strip()
    match = _NUMERIC.match(text) if len(text) <= MAX_DATE_LENGTH else None
    if not match:
        return ""
    first, second = int(match.group(1)), int(match.group(3))
    if first > 12 >= second:
        return "dmy"
    if second > 12 >= first:
        return "mdy"
    # Dots are the day-first convention (German, Nordic, Swiss labs); nobody writes 12.31.2024.
    return "dmy" if match.group(2) == "." else "either"


def choose_order(texts, requested: str, own: str = "dmy") -> tuple[str, bool]:
    """(order to use, whether the person must choose) for a column of date cells.

    `own`: the account's region's order ('mdy' in the US), read and preselected while the
    person chooses, as the number convention is: a US account's 4/3/2024 is offered as
    3 April, not with 'Day first' ticked one click from every date swapped."""
    if requested in ("dmy", "mdy"):
        return requested, False
    hints = {order_hint(t) for t in texts} - {""}
    if not hints:
        return "iso", False
    decided = hints & {"dmy", "mdy"}
    if len(decided) == 1:
        return decided.pop(), False
    # Neither order is proven (or both appear): the person must say which.
    return (own if own in ("dmy", "mdy") else "dmy"), True


def parse_date(text: str, order: str, today: datetime.date, locale: str = "en") -> datetime.date:
    """Parse one date cell with the chosen order ('dmy' or 'mdy'; ISO always works). A
    month in words is read in English or the `locale`'s language (the account's region's),
    as the date fields read it (domain/written_dates.py)."""
    text = (text or "").strip()
    if not text:
        raise DateError("The date is missing.")
    if len(text) > MAX_DATE_LENGTH:
        raise DateError("a date: " + too_long(text, MAX_DATE_LENGTH))
    match = _ISO.match(text) or _COMPACT.match(text)
    if match:
        return _checked(*(int(g) for g in match.groups()), text, today)
    match = _NUMERIC.match(text)
    if match:
        first, second = int(match.group(1)), int(match.group(3))
        day, month = (second, first) if order == "mdy" else (first, second)
        return _checked(_year(match.group(4), today), month, day, text, today)
    cleaned = re.sub(r"\s+", " ", text.split("T")[0]).strip()
    try:
        value = written_dates.named_month_date(cleaned, locale, today)
    except ValueError:
        raise DateError(f"{text!r} is not a real date.") from None
    if value is not None:
        return _checked(value.year, value.month, value.day, text, today)
    raise DateError(
        f"{text!r} is not a date rlsapp can read: use 2024-03-31, 31.03.2024, 31/03/2024, "
        "03/31/2024 or the month in words (31 Mar 2024, in English or your region's language)."
    )
