"""An episode's decline numbers (domain/fits.DeclineNumbers) are worked out once by
split_episodes and read by its fits and by the estimate: the same numbers as working them
out afresh, and never another episode's."""

import dataclasses
import math
import statistics
import sys
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlsapp.domain import estimate as E
from rlsapp.domain import fits, kinetics
from rlsapp.domain.fits import DeclineNumbers, Fit, regression
from rlsapp.domain.kinetics import Dose, Point

ORIGIN = date(2022, 5, 2)


def reference_fit(points, origin, kind):
    """A least-squares fit as kinetics first wrote it, term by term."""
    xs = [(p.day - origin).days / 7 for p in points]
    ys = [math.log(p.value) if kind == "loglinear" else p.value for p in points]
    slope, intercept = statistics.linear_regression(xs, ys)
    predicted = [intercept + slope * x for x in xs]
    ss_res = sum((y - q) ** 2 for y, q in zip(ys, predicted, strict=True))
    slope_se = None
    if len(points) >= 3:
        mean_x = statistics.fmean(xs)
        sxx = sum((x - mean_x) ** 2 for x in xs)
        slope_se = math.sqrt(ss_res / (len(points) - 2) / sxx)
    mean = statistics.fmean(ys)
    ss_tot = sum((y - mean) ** 2 for y in ys)
    r_squared = (1.0 if ss_res == 0 else 0.0) if ss_tot == 0 else max(0.0, 1 - ss_res / ss_tot)
    flat = max(ys) == min(ys)
    return Fit(kind, origin, slope, intercept, r_squared, len(points), slope_se, flat)


decline = st.lists(
    st.tuples(st.integers(28, 900), st.floats(0.5, 3000)), min_size=2, max_size=12
).filter(lambda rows: len({day for day, _ in rows}) >= 2)


@settings(max_examples=150, deadline=None)
@given(rows=decline)
def test_both_fits_are_the_fits_worked_out_afresh(rows):
    points = tuple(Point(ORIGIN + timedelta(days=d), v) for d, v in sorted(rows))
    numbers = DeclineNumbers(points, ORIGIN)
    for kind in ("linear", "loglinear"):
        fit = numbers.fit(kind)
        assert fit == reference_fit(points, ORIGIN, kind)
        expected_sse = sum((p.value - fit.value_at(p.day)) ** 2 for p in points)
        assert numbers.sse_ugl(fit) == expected_sse


def episodes_of(values, start=ORIGIN):
    points = [Point(start + timedelta(weeks=5 + 3 * i), v) for i, v in enumerate(values)]
    return kinetics.split_episodes(points, [Dose(start, 1000)])


def test_an_episode_reads_only_its_own_numbers():
    [falling] = episodes_of([800, 600, 450, 330])
    [slow] = episodes_of([500, 490, 470, 466])
    assert kinetics.numbers_of(falling) is falling.numbers
    # Numbers carried over to other points or another dose day are not read.
    assert (
        kinetics.numbers_of(dataclasses.replace(falling, decline_points=slow.decline_points))
        is None
    )
    moved = dataclasses.replace(falling, dose=Dose(ORIGIN + timedelta(days=1), 1000))
    assert kinetics.numbers_of(moved) is None
    borrowed = dataclasses.replace(slow, numbers=falling.numbers)
    assert E.estimate(borrowed, 100) == E.estimate(slow, 100)
    assert kinetics.choose_model(borrowed) == kinetics.choose_model(slow)


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


# Python 3.12 works linear_regression out with math.sumprod, so its last bits may differ:
# fits.regression keeps 3.11's operations, the ones every stored estimate was made with.
@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the library's 3.11 arithmetic")
@settings(max_examples=400, deadline=None)
@given(rows=st.lists(st.tuples(finite, finite), min_size=2, max_size=20))
def test_regression_and_mean_are_the_librarys_to_the_bit(rows):
    xs, ys = [x for x, _ in rows], [y for _, y in rows]
    for values in (xs, ys):
        assert repr(fits._mean(values)) == repr(statistics.fmean(values))
    try:
        expected = tuple(statistics.linear_regression(xs, ys))
    except statistics.StatisticsError:
        with pytest.raises(statistics.StatisticsError):
            regression(xs, ys, statistics.fmean(xs), statistics.fmean(ys))
        return
    got = regression(xs, ys, statistics.fmean(xs), statistics.fmean(ys))
    # repr: the same bits (== would let -0.0 pass for 0.0).
    assert repr(got) == repr(expected)
