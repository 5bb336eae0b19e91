"""Least-squares fits of a ferritin decline (pure): the linear and log-linear lines of an
episode's decline points (rlsapp.domain.kinetics says which points those are), and the
numbers of those points that both fits and the combined estimate (rlsapp.domain.estimate)
read. x is always weeks since the infusion; the log-linear fit is of ln(ferritin).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from rlsapp.domain.records import quick_init

if TYPE_CHECKING:
    from rlsapp.domain.kinetics import Point

LINEAR, LOGLINEAR = "linear", "loglinear"
# Beyond this a "crossing" is numerically meaningless (a nearly flat fit); report none.
MAX_HORIZON_DAYS = 50 * 365
# A fit's half-life and R² mean something only from this many points (two always fit).
SHOWN_MIN_POINTS = 3
# The largest log-scale value given to exp(): e**700 is about 1e304, so a fit of absurd
# inputs stays a finite number instead of raising OverflowError.
LOG_CAP = 700.0
# One-sided 90 % quantiles of Student's t by degrees of freedom (1-30), for 80 % intervals;
# beyond 30 the normal value. Standard table values (checked against scipy in the tests).
T90 = (
    3.078, 1.886, 1.638, 1.533, 1.476, 1.440, 1.415, 1.397, 1.383, 1.372,
    1.363, 1.356, 1.350, 1.345, 1.341, 1.337, 1.333, 1.330, 1.328, 1.325,
    1.323, 1.321, 1.319, 1.318, 1.316, 1.315, 1.314, 1.313, 1.311, 1.310,
)  # fmt: skip
Z90 = 1.2815515655446004


def t90(df: int) -> float:
    return T90[df - 1] if 1 <= df <= len(T90) else Z90


@quick_init
@dataclass(frozen=True)
class Fit:
    kind: str  # "linear" | "loglinear"
    origin: date  # the infusion day; x = weeks since origin
    slope_per_week: float  # linear: µg/L per week; loglinear: d ln(ferritin) per week
    intercept: float  # linear: µg/L at origin; loglinear: ln µg/L at origin
    r_squared: float
    n_points: int
    slope_se: float | None = None  # standard error of the slope; None below 3 points
    flat: bool = False  # every fitted value was the same

    @property
    def clearly_falling(self) -> bool:
        """The slope's 80 % interval lies wholly below zero (needs 3+ points)."""
        if self.slope_se is None or self.slope_per_week >= 0:
            return False
        return self.slope_per_week + t90(self.n_points - 2) * self.slope_se < 0

    @property
    def shown_r_squared(self) -> float | None:
        """R² where it says something: not for two points, not for a flat series."""
        if self.n_points < SHOWN_MIN_POINTS or self.flat:
            return None
        return self.r_squared

    @property
    def shown_half_life_weeks(self) -> float | None:
        """The half-life only of a log-linear fit that clearly falls (3+ points)."""
        return self.half_life_weeks if self.clearly_falling else None

    def weeks(self, day: date) -> float:
        return (day - self.origin).days / 7

    def value_at(self, day: date) -> float:
        y = self.intercept + self.slope_per_week * self.weeks(day)
        if self.kind == "loglinear":
            return math.exp(min(y, LOG_CAP))
        return y

    def crossing(self, threshold: float) -> date | None:
        """The first day the fitted line is at or below the threshold; None if it never falls."""
        if self.slope_per_week >= 0:
            return None
        if self.kind == "loglinear":
            if threshold <= 0:
                return None
            target = math.log(threshold)
        else:
            target = threshold
        days = (target - self.intercept) / self.slope_per_week * 7
        if not math.isfinite(days) or abs(days) > MAX_HORIZON_DAYS:
            return None
        # Round away float noise first so an exact line lands on its exact day.
        return self.origin + timedelta(days=math.ceil(round(days, 6)))

    @property
    def decline_per_week(self) -> float:
        """µg/L per week, positive when falling (linear fits only)."""
        if self.kind != "linear":
            raise ValueError("decline_per_week is defined for linear fits; use half_life_weeks")
        return -self.slope_per_week

    @property
    def half_life_weeks(self) -> float | None:
        if self.kind != "loglinear" or self.slope_per_week >= 0:
            return None
        return math.log(2) / -self.slope_per_week


def _mean(values: list[float]) -> float:
    """statistics.fmean(values) of a non-empty list, as its Python 3.11 source works it out
    (fsum(data) / n), without its checks for other kinds of data."""
    if not values:
        raise statistics.StatisticsError("fmean requires at least one data point")
    return math.fsum(values) / len(values)


def regression(
    xs, ys, mean_x: float, mean_y: float, sxx: float | None = None
) -> tuple[float, float]:
    """(slope, intercept) of statistics.linear_regression(xs, ys) given the means it works
    out first (statistics.fmean's, fsum(data) / n), with the very operations of its Python
    3.11 source in the same order, so the same floats: the sums of products are fsums, the
    slope their quotient, the intercept mean_y - slope * mean_x. Inline because a chart
    fits every episode twice and the means are already known; a test holds it to the
    library's answer. `sxx`: x_sum_of_squares(xs, mean_x) when known already; it depends
    on the xs alone, so both kinds of fit of the same points share it."""
    n = len(xs)
    if len(ys) != n:
        raise statistics.StatisticsError(
            "linear regression requires that both inputs have same number of data points"
        )
    if n < 2:
        raise statistics.StatisticsError("linear regression requires at least two data points")
    sxy = math.fsum([(x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=False)])
    if sxx is None:
        sxx = x_sum_of_squares(xs, mean_x)
    try:
        slope = sxy / sxx
    except ZeroDivisionError:
        raise statistics.StatisticsError("x is constant") from None
    return slope, mean_y - slope * mean_x


def x_sum_of_squares(xs, mean_x: float) -> float:
    """The sum of squares about the mean that regression() divides by, as it works it out."""
    return math.fsum([(d := x - mean_x) * d for x in xs])


class DeclineNumbers:
    """An episode's decline points (usable, on two or more days) as its fits and the
    combined estimate read them, worked out once: each point's weeks since `origin`, their
    mean and sum of squares about it, and for each kind of fit its values (ferritin or its
    log) with their mean, sum of squares and regression line. Each is the expression the
    fits and the estimate wrote themselves, so the numbers are the same."""

    __slots__ = ("points", "origin", "xs", "mean_x", "sxx", "_kinds", "_x_squares")

    def __init__(self, points: tuple[Point, ...], origin: date):
        self.points = points
        self.origin = origin
        self.xs = xs = [(p.day - origin).days / 7 for p in points]
        self.mean_x = mean_x = _mean(xs)
        # Two sums of the same squares, each as its reader always worked it out (a plain
        # sum for the standard errors, regression()'s fsum for the line): rounded apart,
        # and either one in the other's place could move a fitted number's last digit.
        self.sxx = sum([(x - mean_x) ** 2 for x in xs])
        self._kinds = {}
        self._x_squares = None  # regression()'s sum of squares of the xs, once worked out

    def _known(self, kind: str) -> list:
        """[values, their mean, their sum of squares about it, regression line or None] of
        a `kind` of fit, worked out on first asking."""
        known = self._kinds.get(kind)
        if known is None:
            if kind == LOGLINEAR:
                ys = [math.log(p.value) for p in self.points]
            elif kind == LINEAR:
                ys = [p.value for p in self.points]
            else:
                raise ValueError(f"unknown fit kind {kind!r}: use 'linear' or 'loglinear'")
            mean_y = _mean(ys)
            known = self._kinds[kind] = [ys, mean_y, sum([(y - mean_y) ** 2 for y in ys]), None]
        return known

    def of(self, kind: str) -> tuple[list[float], float, float]:
        """The values a `kind` of fit fits, their mean and their sum of squares about it."""
        known = self._known(kind)
        return known[0], known[1], known[2]

    def line(self, kind: str) -> tuple[float, float]:
        """(slope, intercept): statistics.linear_regression of the `kind` values on weeks."""
        known = self._known(kind)
        if known[3] is None:
            if self._x_squares is None and len(self.xs) >= 2:
                self._x_squares = x_sum_of_squares(self.xs, self.mean_x)
            known[3] = regression(self.xs, known[0], self.mean_x, known[1], self._x_squares)
        return known[3]

    def fit(self, kind: str) -> Fit:
        slope, intercept = self.line(kind)
        ys, _mean_y, ss_tot, _line = self._kinds[kind]
        xs = self.xs
        n = len(xs)
        ss_res = sum([(y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True)])
        slope_se = None
        if n >= SHOWN_MIN_POINTS:
            slope_se = math.sqrt(ss_res / (n - 2) / self.sxx)
        if ss_tot == 0:
            # All results equal: a flat line explains them perfectly (or not at all).
            r_squared = 1.0 if ss_res == 0 else 0.0
        else:
            r_squared = max(0.0, 1 - ss_res / ss_tot)
        flat = max(ys) == min(ys)
        return Fit(kind, self.origin, slope, intercept, r_squared, n, slope_se, flat)

    def sse_ugl(self, fit: Fit) -> float:
        """sse_ugl(fit, self.points) for a fit from the same origin, from the known weeks."""
        slope, intercept, xs = fit.slope_per_week, fit.intercept, self.xs
        if fit.kind == LOGLINEAR:
            fitted = [math.exp(min(intercept + slope * x, LOG_CAP)) for x in xs]
        else:
            fitted = [intercept + slope * x for x in xs]
        return sum([(p.value - q) ** 2 for p, q in zip(self.points, fitted, strict=True)])


def fit_decline(points: Iterable[Point], origin: date, kind: str = "linear") -> Fit | None:
    """Ordinary least squares of ferritin (or its log) on weeks since origin.

    None when fewer than two usable points on at least two different days remain.
    """
    exact = [p for p in points if p.usable]
    if len(exact) < 2 or len({p.day for p in exact}) < 2:
        return None
    return DeclineNumbers(tuple(exact), origin).fit(kind)


def sse_ugl(fit: Fit, points: Iterable[Point]) -> float:
    """Sum of squared residuals in µg/L, the one scale on which both kinds compare."""
    return sum((p.value - fit.value_at(p.day)) ** 2 for p in points if p.usable)
