import datetime
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlsapp.domain.result_flags import AFTER, HIGH, LOW, flagger, result_flag
from rlsapp.domain.units import ANALYTES, COMPARATOR_CHOICES

DAY = datetime.date(2026, 3, 2)


def days_after(n):
    return DAY + datetime.timedelta(days=n)


def test_a_ferritin_below_the_threshold_is_low_in_words():
    flag = result_flag("ferritin", 19, threshold=100)
    assert (flag.word, flag.why) == (LOW, "below threshold 100")


def test_a_phosphate_of_2_2_is_low_against_the_range():
    assert result_flag("phosphate", 2.2).word == LOW


@pytest.mark.parametrize(("sex", "word"), [("F", HIGH), ("M", "")])
def test_hemoglobin_uses_the_range_for_the_persons_sex(sex, word):
    assert result_flag("hemoglobin", 16.5, sex=sex).word == word


def test_a_ferritin_of_512_six_weeks_after_an_infusion_is_the_expected_rise():
    flag = result_flag("ferritin", 512, threshold=100, day=days_after(42), infusion_days=[DAY])
    assert flag.word == AFTER
    assert flag.why.startswith("above range 30–300, 6 weeks after an infusion: ferritin rises")


def test_the_same_ferritin_with_no_infusion_within_a_year_is_high():
    assert result_flag("ferritin", 512, day=days_after(400), infusion_days=[DAY]).word == HIGH
    assert result_flag("ferritin", 512, day=days_after(-7), infusion_days=[DAY]).word == HIGH
    assert result_flag("ferritin", 512, day=DAY, infusion_days=[]).word == HIGH


def test_a_draw_on_the_infusion_day_is_before_it_unless_marked_after():
    assert result_flag("ferritin", 512, day=DAY, infusion_days=[DAY]).word == HIGH
    flag = result_flag("ferritin", 512, day=DAY, infusion_days=[DAY], after_infusion=True)
    assert flag.word == AFTER and "the day of an infusion" in flag.why


def test_tsat_is_high_after_an_infusion_only_for_a_day():
    assert result_flag("tsat", 70, day=days_after(1), infusion_days=[DAY]).word == AFTER
    assert result_flag("tsat", 70, day=days_after(2), infusion_days=[DAY]).word == HIGH


def test_the_nearest_earlier_infusion_counts():
    days = [DAY - datetime.timedelta(weeks=200), DAY]
    flag = result_flag("ferritin", 400, day=days_after(10), infusion_days=days)
    assert flag.word == AFTER and "10 days after" in flag.why


def test_a_low_phosphate_after_an_infusion_stays_low():
    # Hypophosphataemia after FCM is a risk to act on, never explained away.
    assert result_flag("phosphate", 1.8, day=days_after(14), infusion_days=[DAY]).word == LOW


@pytest.mark.parametrize(
    ("code", "value", "comparator", "word"),
    [
        ("ferritin", 5, "<", LOW),  # "<5" is low whatever it is
        ("ferritin", 500, "<", ""),  # "<500" may be in range
        ("ferritin", 1000, ">", HIGH),
        ("ferritin", 10, ">", ""),  # ">10" may be anything above
    ],
)
def test_a_bound_is_flagged_only_when_the_bound_itself_is_out_of_range(
    code, value, comparator, word
):
    assert result_flag(code, value, comparator).word == word


def _near_edges():
    """Values at, just inside and just outside every range's ends and common thresholds."""
    edges = {edge for info in ANALYTES.values() for r in info.reference.values() for edge in r}
    edges |= {15.0, 50.0, 75.0, 100.0, 300.0}
    return st.one_of(
        st.sampled_from(sorted(edges)).flatmap(
            lambda edge: st.sampled_from(
                [edge, math.nextafter(edge, -1e9), math.nextafter(edge, 1e9)]
            )
        ),
        st.floats(min_value=0, max_value=5000, allow_nan=False),
    )


@settings(max_examples=3000, deadline=None)
@given(
    code=st.sampled_from(sorted(ANALYTES)),
    value=_near_edges(),
    comparator=st.sampled_from([c for c, _ in COMPARATOR_CHOICES]),
    sex=st.sampled_from(["", "F", "M"]),
    threshold=st.one_of(st.none(), _near_edges()),
    day=st.one_of(st.none(), st.integers(-30, 400).map(days_after)),
    infusions=st.lists(st.integers(-800, 400).map(days_after), max_size=4).map(sorted),
    after=st.booleans(),
)
def test_a_persons_flagger_flags_as_result_flag(
    code, value, comparator, sex, threshold, day, infusions, after
):
    expected = result_flag(
        code,
        value,
        comparator,
        sex=sex,
        threshold=threshold,
        day=day,
        infusion_days=infusions,
        after_infusion=after,
    )
    assert flagger(sex, threshold, infusions)(code, value, comparator, day, after) == expected
