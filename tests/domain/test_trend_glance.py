"""A past episode's window told at a glance (trend._after_cap_at_a_glance) is always the
one the whole grid gives: the same days for every trend, cap and horizon."""

import math
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlsapp.domain import trend as T

AFTER = date(2024, 3, 1)
QS = (0.1, 0.5, 0.9)
HORIZON = 50 * 365


def whole_grid(monkeypatch, trend, threshold, cap):
    with monkeypatch.context() as m:
        m.setattr(T, "_after_cap_at_a_glance", lambda *a, **k: None)
        return trend.crossing_quantiles(threshold, AFTER, QS, HORIZON, cap)


def told_at_a_glance(monkeypatch, trend, threshold, cap):
    told = []

    def spy(*args, **kwargs):
        told.append(glance(*args, **kwargs))
        return told[-1]

    glance = T._after_cap_at_a_glance
    with monkeypatch.context() as m:
        m.setattr(T, "_after_cap_at_a_glance", spy)
        days = trend.crossing_quantiles(threshold, AFTER, QS, HORIZON, cap)
    return days, told


def trends(test):
    """Random log-scale trends, thresholds and caps, for each property below."""
    return settings(max_examples=300, deadline=None)(
        given(
            level=st.floats(math.log(80), math.log(1500)),
            level_sd=st.floats(0.005, 0.5),
            fall=st.floats(0.001, 0.3),
            fall_share=st.floats(0.01, 1.5),
            weeks=st.floats(-10, 40),
            threshold=st.sampled_from([30, 50, 75, 100]),
            cap=st.integers(1, 3000),
        )(test)
    )


def a_trend(level, level_sd, fall, fall_sd, weeks_before):
    """A log-scale trend whose latest result was `weeks_before` weeks after its centre."""
    return T.Trend("log", AFTER, weeks_before, level, level_sd**2, -fall, fall_sd**2)


@trends
def test_the_glance_gives_the_whole_grids_days(
    level, level_sd, fall, fall_share, weeks, threshold, cap
):
    trend = a_trend(level, level_sd, fall, fall * fall_share, weeks)
    with pytest.MonkeyPatch.context() as monkeypatch:
        expected = whole_grid(monkeypatch, trend, threshold, cap)
        days, _told = told_at_a_glance(monkeypatch, trend, threshold, cap)
    assert days == expected


@pytest.mark.parametrize("cap", [20, 60, 120, 200, 300, 400, 600])
def test_near_the_cap_the_glance_steps_aside_or_agrees(monkeypatch, cap):
    # Central crossing about 20 weeks after the latest result: the caps run from well
    # before it to well after, so the share reached by the cap passes each q.
    trend = a_trend(math.log(150), 0.05, 0.02, 0.004, 0.0)
    expected = whole_grid(monkeypatch, trend, 100, cap)
    days, _told = told_at_a_glance(monkeypatch, trend, 100, cap)
    assert days == expected


def test_a_crossing_long_after_the_next_infusion_is_told_at_a_glance(monkeypatch):
    # A slow fall from 600 to 100: years, with the next infusion 120 days on.
    trend = a_trend(math.log(600), 0.05, 0.01, 0.003, 0.0)
    days, told = told_at_a_glance(monkeypatch, trend, 100, 120)
    assert told == [["cap", "cap", "cap"]]
    assert days == [AFTER + timedelta(days=120)] * 3
    assert days == whole_grid(monkeypatch, trend, 100, 120)


def point_by_point(monkeypatch, trend, threshold, cap):
    """The glance as it sums each middle point, without the bound from the ends first."""
    with monkeypatch.context() as m:
        m.setattr(T, "_all_after_cap_by_the_ends", lambda *a, **k: False)
        return told_at_a_glance(m, trend, threshold, cap)


def told_by_the_ends(monkeypatch, trend, threshold, cap):
    told = []
    ends = T._all_after_cap_by_the_ends

    def spy(*args, **kwargs):
        told.append(ends(*args, **kwargs))
        return told[-1]

    with monkeypatch.context() as m:
        m.setattr(T, "_all_after_cap_by_the_ends", spy)
        days = trend.crossing_quantiles(threshold, AFTER, QS, HORIZON, cap)
    return days, told


@trends
def test_what_the_ends_tell_the_points_tell_too(
    level, level_sd, fall, fall_share, weeks, threshold, cap
):
    trend = a_trend(level, level_sd, fall, fall * fall_share, weeks)
    with pytest.MonkeyPatch.context() as monkeypatch:
        days, by_ends = told_by_the_ends(monkeypatch, trend, threshold, cap)
        summed, by_points = point_by_point(monkeypatch, trend, threshold, cap)
    assert days == summed
    if by_ends == [True]:
        assert by_points == [["cap", "cap", "cap"]]


def test_a_crossing_long_after_the_next_infusion_is_told_by_the_ends(monkeypatch):
    trend = a_trend(math.log(600), 0.05, 0.01, 0.003, 0.0)
    days, by_ends = told_by_the_ends(monkeypatch, trend, 100, 120)
    assert by_ends == [True]
    assert days == [AFTER + timedelta(days=120)] * 3 == whole_grid(monkeypatch, trend, 100, 120)


@pytest.mark.parametrize("cap", [120, 200, 300, 400])
def test_near_the_cap_the_ends_step_aside(monkeypatch, cap):
    # Central crossing about 20 weeks after the latest result: the steepest middle slope
    # reaches the threshold well before the cap, so the ends cannot tell.
    trend = a_trend(math.log(150), 0.05, 0.02, 0.004, 0.0)
    days, by_ends = told_by_the_ends(monkeypatch, trend, 100, cap)
    assert by_ends == [False]
    assert days == whole_grid(monkeypatch, trend, 100, cap)


@settings(max_examples=500, deadline=None)
@given(
    fall=st.floats(-1e6, 1e6) | st.floats(-1e-6, 1e-6),
    fall_sd=st.floats(1e-150, 1e6),
)
def test_the_middle_points_weights_lie_within_their_margin(fall, fall_sd):
    # The glance's bound from the ends reads the middle points' weights as exact slopes have
    # them (_MIDDLE_WEIGHTS); each computed weight must lie within WEIGHT_MARGIN of its own.
    if not fall_sd > 1e-6 * abs(fall):  # where the glance is used
        return
    lo, hi = fall - T.GRID_SDS * fall_sd, fall + T.GRID_SDS * fall_sd  # crossing_quantiles'
    step = (hi - lo) / T.GRID
    first = T.GRID // 2 - T.CENTRE_STEPS
    for j, exact in enumerate(T._MIDDLE_WEIGHTS):
        weight = math.exp(-0.5 * ((lo + (first + j) * step - fall) / fall_sd) ** 2)
        assert abs(weight - exact) <= exact * T.WEIGHT_MARGIN / 100
    assert T._MIDDLE_SUMS[0] == math.fsum(T._MIDDLE_WEIGHTS)
