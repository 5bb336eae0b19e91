"""Who comes first on the worklist. The order, in words (templates/web/worklist_order.html,
the page "How urgency is decided", repeats it):

1. **Below the threshold, not treated since**: the latest ferritin result is below the
   person's threshold (a "<" bound counts at its bound; a ">" bound never is) and no
   infusion was given on or after its day (a draw on an infusion's day is the baseline
   before it). The farther below, the sooner: latest ÷ threshold, lowest first, so
   19 µg/L against 100 (0.19) comes before 95 against 100 (0.95).
2. **Re-check overdue**: its reminder date has passed; the most overdue first.
3. **Re-check due soon** (within the person's own due-soon window); the soonest first.
4. **Everyone else**, by the date of their next re-check.

Within each, the longer since the last infusion (never counts as longest) comes first,
then the name. Group 1 rests only on stored results, so it is worked out when records
change; groups 2–4 compare stored dates with today, so they stay right as days pass.
"""

from datetime import date

BELOW_UNTREATED, OVERDUE, DUE_SOON, UPCOMING = 1, 2, 3, 4
LABELS = {
    BELOW_UNTREATED: "below threshold",
    OVERDUE: "overdue",
    DUE_SOON: "due soon",
    UPCOMING: "upcoming",
}


def untreated_ratio(
    latest_value: float | None,
    latest_comparator: str,
    latest_on: date | None,
    threshold: float,
    last_infusion_on: date | None,
) -> float | None:
    """Latest ferritin ÷ threshold when it is below the threshold with no infusion since;
    None otherwise (no result, not below, a '>' bound, or an infusion on or after it)."""
    if latest_value is None or latest_on is None or latest_comparator in (">", ">="):
        return None
    if last_infusion_on is not None and last_infusion_on >= latest_on:
        return None
    if latest_value >= threshold:
        return None
    return latest_value / threshold


def group(ratio: float | None, remind_on: date | None, soon_from: date | None, today: date):
    """The worklist group of one person (the query orders by the same rule in SQL)."""
    if ratio is not None:
        return BELOW_UNTREATED
    if remind_on is not None and remind_on < today:
        return OVERDUE
    if soon_from is not None and soon_from <= today:
        return DUE_SOON
    return UPCOMING
