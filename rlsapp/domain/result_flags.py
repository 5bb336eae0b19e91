"""A result's flag in words, to sit beside any colour: "low", "high" or "after infusion".

Pure (no Django imports). units.flag compares a value with the ferritin threshold and the
reference range; this adds what the value alone cannot tell: a result given as a bound
("<500") is flagged only when the bound itself is out of range, and a high value soon
after an IV iron infusion is the expected rise (shared/domain.md), said as such rather
than alarmed about.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta

from . import units

# How long after an infusion a high result is the infusion's doing.
AFTER_INFUSION = {
    # A 1000 mg dose lifts ferritin by hundreds of µg/L and it falls by about 6.6 µg/L a
    # week (Earley et al. 2005), so it takes most of a year to come back under the range.
    "ferritin": timedelta(weeks=52),
    # Serum iron and TSAT read falsely high for about 24 h after FCM (shared/domain.md).
    "tsat": timedelta(days=1),
    "iron": timedelta(days=1),
}
AFTER_INFUSION_WHY = {
    "ferritin": "ferritin rises as infused iron enters the stores, then falls",
    "tsat": "reads falsely high for about a day after an infusion",
    "iron": "reads falsely high for about a day after an infusion",
}

LOW, HIGH, AFTER = "low", "high", "after infusion"


@dataclass(frozen=True)
class Flag:
    word: str  # LOW, HIGH, AFTER or "" (in range, or a bound that says nothing)
    why: str  # "below range 12–16", "" when unflagged

    def __bool__(self):
        return bool(self.word)


UNFLAGGED = Flag("", "")  # frozen: one for every result in range


def _weeks_words(days: int) -> str:
    if days < 14:
        return f"{days} day{'' if days == 1 else 's'}"
    return f"{round(days / 7)} weeks"


def last_infusion_before(day: date, infusion_days, after_infusion: bool = False) -> date | None:
    """The latest infusion day on or before `day` (sorted days). A draw on an infusion's
    own day is usually taken before it (shared/domain.md), unless marked as after it."""
    index = bisect_right(infusion_days, day)
    if index and infusion_days[index - 1] == day and not after_infusion:
        index -= 1
    return infusion_days[index - 1] if index else None


def result_flag(
    code: str,
    value: float,
    comparator: str = "",
    *,
    sex: str = "",
    threshold: float | None = None,
    day: date | None = None,
    infusion_days=(),
    after_infusion: bool = False,
) -> Flag:
    """The flag of one result; `infusion_days` sorted, oldest first."""
    word, why = units.flag(code, value, sex, threshold)
    if not word:
        return UNFLAGGED
    # "<500" may be anything below 500: only a bound that is itself low says "low".
    if (comparator in ("<", "<=") and word == HIGH) or (comparator in (">", ">=") and word == LOW):
        return UNFLAGGED
    window = AFTER_INFUSION.get(code)
    if word == HIGH and window and day is not None:
        given = last_infusion_before(day, infusion_days, after_infusion)
        if given is not None and day - given <= window:
            since = (day - given).days
            when = (
                "the day of an infusion"
                if since == 0
                else f"{_weeks_words(since)} after an infusion"
            )
            return Flag(AFTER, f"{why}, {when}: {AFTER_INFUSION_WHY[code]}")
    return Flag(word, why)


def flagger(sex: str, threshold: float | None, infusion_days):
    """result_flag for many results of one person: a function of (code, value, comparator,
    day, after_infusion). A value that units.flag calls neither low nor high (at or above
    the threshold and the range's low end, at or below its high end) is unflagged whatever
    its comparator and day, so those are told apart once per test, not per result."""
    quiet = {}
    for code, analyte in units.ANALYTES.items():
        bounds = analyte.reference_range(sex)
        low, high = bounds if bounds else (-math.inf, math.inf)
        if code == "ferritin" and threshold is not None:
            low = max(low, threshold)
        quiet[code] = (low, high)
    person = {"sex": sex, "threshold": threshold, "infusion_days": infusion_days}

    def flag(code: str, value: float, comparator: str, day, after: bool) -> Flag:
        low, high = quiet[code]
        if low <= value <= high:
            return UNFLAGGED
        return result_flag(code, value, comparator, day=day, after_infusion=after, **person)

    return flag
