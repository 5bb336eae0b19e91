"""The estimate's window is the 10 %, 50 % and 90 % points of the crossing day's stated
distribution (rlsapp.domain.trend), far ends included.

The window's late end lies years ahead whenever the fall is uncertain: there the day a
slope crosses changes by years between neighbouring slopes, and a grid over the slope
stepped over it (the late end of the history below came out 6 Jan 2032 instead of
14 Nov 2030). Each case is checked against a seeded Monte Carlo draw of the same
posterior, written here from the stated model alone."""

import math
import random
from bisect import bisect_right
from datetime import date, timedelta

import pytest

from rlsapp.domain import estimate, kinetics
from rlsapp.domain import trend as trend_module
from rlsapp.domain.trend import Trend

QS = (0.1, 0.5, 0.9)
HORIZON = 50 * 365


def monte_carlo(trend: Trend, threshold: float, after: date, draws: int = 200_000) -> list:
    """Crossing days after `after`, sorted, drawn from the trend's level and fall
    (independent normals), among draws above the threshold on `after` (inf: never)."""
    rng = random.Random(7)
    target = math.log(threshold) if trend.scale == "log" else threshold
    u0 = (after - trend.origin).days / 7 - trend.x_mean
    days = []
    for _ in range(draws):
        level = rng.gauss(trend.level, math.sqrt(trend.level_var))
        fall = rng.gauss(-trend.slope, math.sqrt(trend.slope_var))
        if level - fall * u0 <= target:
            continue  # not above on the latest result's day
        if fall <= 0:
            days.append(math.inf)
        else:
            days.append(max(1, math.ceil(((level - target) / fall - u0) * 7)))
    days.sort()
    return days


def assert_quantiles(days, after: date, drawn: list):
    """Each day is where the drawn crossings reach its q: the share crossed by it is q
    (within a few Monte Carlo standard errors, about 0.0007), and by the day before under.
    Far ends lie in a thin tail, so shares are compared, not days."""
    for q, day in zip(QS, days, strict=True):
        by = bisect_right(drawn, (day - after).days) / len(drawn)
        before = bisect_right(drawn, (day - after).days - 1) / len(drawn)
        assert by >= q - 0.004 and before < q + 0.004, (q, day, by, before)


def test_two_results_and_the_population_default_give_the_late_end_of_the_stated_model():
    infused = date(2025, 1, 6)
    points = [kinetics.Point(date(2025, 2, 3), 180.0), kinetics.Point(date(2025, 3, 31), 200.0)]
    result = estimate.estimate_last(
        points, [kinetics.Dose(infused, 1000)], 100, population_slope=6.6
    )
    assert (result.early, result.crossing, result.late) == (
        date(2025, 6, 24),
        date(2025, 10, 12),
        date(2030, 11, 14),
    )
    drawn = monte_carlo(result.trend, 100, date(2025, 3, 31))
    assert_quantiles([result.early, result.crossing, result.late], date(2025, 3, 31), drawn)


TRENDS = [
    # scale, x_mean, level, level_var, slope, slope_var, threshold, weeks from centre
    ("linear", 8.29, 185.6, 361.2, -10.82, 58.37, 100, 4.57),  # a noisy linear fit
    ("log", 8.0, math.log(250), 0.0113, -0.0156, 0.00014, 100, 4.0),  # pooled, 2 results
    ("log", 12.0, math.log(400), 0.004, -0.03, 0.00004, 75, 10.0),  # a clear fall
    ("log", 6.0, math.log(160), 0.0225, -0.02, 0.0001, 100, 0.0),  # pooled, 1 result
    ("linear", 20.0, 300.0, 50.0, -3.0, 1.5, 50, 12.0),  # slow and uncertain
]


@pytest.mark.parametrize("scale,x_mean,level,level_var,slope,slope_var,threshold,u0", TRENDS)
def test_the_window_is_the_stated_distributions_quantiles(
    scale, x_mean, level, level_var, slope, slope_var, threshold, u0
):
    origin = date(2025, 1, 6)
    after = origin + timedelta(days=round((x_mean + u0) * 7))
    trend = Trend(scale, origin, x_mean, level, level_var, slope, slope_var)
    days = trend.crossing_quantiles(threshold, after, QS, HORIZON)
    assert None not in days
    assert_quantiles(days, after, monte_carlo(trend, threshold, after))


def _past_episodes(count: int):
    """Random past episodes as the estimates meet them: a fall clear of none (the estimate
    asks for one), ended by the next infusion some weeks to a year after the latest result
    or near the day the mean trend crosses the threshold."""
    rng = random.Random(11)
    for _ in range(count):
        log = rng.random() < 0.7
        fall = rng.uniform(0.004, 0.06) if log else rng.uniform(0.5, 12.0)
        sd_fall = fall * rng.uniform(0.02, 0.6)
        level = math.log(rng.uniform(120, 700)) if log else rng.uniform(120, 700)
        level_var = rng.uniform(0.001, 0.06) if log else rng.uniform(20, 2500)
        x_mean = rng.uniform(4, 20)
        origin = date(2020, 1, 6)
        after = origin + timedelta(days=round((x_mean + rng.uniform(-4, 12)) * 7))
        trend = Trend(
            "log" if log else "linear", origin, x_mean, level, level_var, -fall, sd_fall**2
        )
        threshold = rng.choice((50, 75, 100))
        target = math.log(threshold) if log else threshold
        # Half end some weeks to a year on, half near the day the mean trend crosses.
        crossing = ((level - target) / fall - (after - origin).days / 7 + x_mean) * 7
        near = round(crossing * rng.uniform(0.2, 1.1))
        yield trend, threshold, after, max(1, rng.randint(14, 400) if rng.random() < 0.5 else near)


def test_a_past_episode_settled_by_the_bounds_is_settled_as_the_integrals_settle_it(
    monkeypatch,
):
    settled = []
    bounds = trend_module._after_the_cap_for_certain

    def noted(*args):
        settled.append(bounds(*args))
        return settled[-1]

    for trend, threshold, after, cap in _past_episodes(1500):
        with monkeypatch.context() as patch:
            patch.setattr(trend_module, "_after_the_cap_for_certain", noted)
            quick = trend.crossing_quantiles(threshold, after, QS, kinetics.MAX_HORIZON_DAYS, cap)
        with monkeypatch.context() as patch:
            patch.setattr(trend_module, "_after_the_cap_for_certain", lambda *args: False)
            full = trend.crossing_quantiles(threshold, after, QS, kinetics.MAX_HORIZON_DAYS, cap)
        assert quick == full, (trend, threshold, after, cap)
    # Most are settled by the bounds, and some are left to the integrals.
    assert 0.3 * len(settled) < sum(settled) < len(settled)
