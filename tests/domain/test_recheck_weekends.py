"""Re-checks off the weekend (issue 16 item 4): a pure rule, and the setting that applies it."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rlsapp.domain.recheck import InfusionRecord, Settings, next_recheck, skip_weekend

FRIDAY, SATURDAY, SUNDAY, MONDAY = (date(2026, 12, d) for d in (4, 5, 6, 7))


@pytest.mark.parametrize(
    ("day", "moved"),
    [(FRIDAY, FRIDAY), (SATURDAY, MONDAY), (SUNDAY, MONDAY), (MONDAY, MONDAY)],
)
def test_a_weekend_day_moves_to_the_monday_and_a_weekday_stays(day, moved):
    assert skip_weekend(day) == moved


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_the_moved_day_is_a_weekday_at_most_two_days_later(day):
    moved = skip_weekend(day)
    assert moved.weekday() < 5 and timedelta(0) <= moved - day <= timedelta(days=2)


def test_the_setting_moves_a_sunday_recheck_to_monday_and_says_so():
    # 8 weeks after an infusion on a Sunday is a Sunday.
    infusion = InfusionRecord(SUNDAY - timedelta(weeks=8))
    kept = next_recheck(Settings(), [], [infusion], predict=False)
    assert kept.due == SUNDAY
    moved = next_recheck(replace(Settings(), skip_weekends=True), [], [infusion], predict=False)
    assert moved.due == MONDAY
    assert moved.reason.endswith(", moved from Sunday to Monday")
