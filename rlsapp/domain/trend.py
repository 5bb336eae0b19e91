"""A decline trend's posterior and the days by which it reaches a threshold (pure).

The window of rlsapp.domain.estimate: the crossing day's distribution follows from the
posterior of the trend's level and slope (independent normals), conditioned on the trend
being above the threshold at the latest exact result, integrated over the slope on a grid.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import NormalDist

from rlsapp.domain.fits import LOG_CAP
from rlsapp.domain.records import quick_init

GRID = 120  # integration steps over the slope (trapezoid: ample for a normal density)
# The grid spans the slope's mean +- this many standard deviations (the glance's middle
# weights, _MIDDLE_WEIGHTS, are worked out from the same span).
GRID_SDS = 8


def _phi(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2))


@quick_init
@dataclass(frozen=True)
class Trend:
    """Posterior of the trend y(x) = level + slope * (x - x_mean), x in weeks since origin.

    y is ln(µg/L) on the "log" scale, µg/L on the "linear" one; level and slope are
    independent normals.
    """

    scale: str
    origin: date
    x_mean: float
    level: float
    level_var: float
    slope: float
    slope_var: float

    def _y(self, value: float) -> float:
        return math.log(value) if self.scale == "log" else value

    def _value(self, y: float) -> float:
        return math.exp(min(y, LOG_CAP)) if self.scale == "log" else y

    def at(self, day: date, z: float = 0.0) -> float:
        """The trend in µg/L at a day: its median, or z standard deviations off it."""
        u = (day - self.origin).days / 7 - self.x_mean
        sd = math.sqrt(self.level_var + u * u * self.slope_var)
        return self._value(self.level + self.slope * u + z * sd)

    def crossing_quantiles(
        self,
        threshold: float,
        after: date,
        qs: Sequence[float],
        horizon_days: int,
        cap_days: int | None = None,
    ) -> list[date | None]:
        """Days by which the trend has reached the threshold with probability q (rising
        qs), given it was above it on `after`; None beyond the horizon.

        With `cap_days` (a past episode's next infusion), a day on or after the cap is only
        told as the cap day itself: whether it falls before the cap is all that is asked."""
        target = self._y(threshold)
        u0 = (after - self.origin).days / 7 - self.x_mean
        if self.level_var == 0 and self.slope_var == 0:
            # Results exactly on the line: one day, as the fit itself gives it.
            if self.slope >= 0:
                return [None for _ in qs]
            days = ((target - self.level) / self.slope - u0) * 7
            if days > horizon_days:
                return [None for _ in qs]
            day = after + timedelta(days=max(1, math.ceil(round(days, 6))))
            return [day for _ in qs]
        sd_level = math.sqrt(self.level_var) or 1e-12
        fall, sd_fall = -self.slope, math.sqrt(self.slope_var) or 1e-12 * max(1, abs(self.slope))
        lo, hi = fall - GRID_SDS * sd_fall, fall + GRID_SDS * sd_fall
        step = (hi - lo) / GRID
        # The grid and share() run a few thousand normal CDFs per estimate (a chart makes
        # one estimate per infusion): _phi is written out inline, the same arithmetic in the
        # same order, so the same days, sparing a call and lookups per term.
        level, erfc, exp, root2 = self.level, math.erfc, math.exp, math.sqrt(2)

        def slope_grid(first: int, last: int):
            """The grid's points first..last: the sum of their weight x P(above at u0), and
            (slope, weight, P(below at u0)) of those with a fall."""
            grid = []
            denominator = 0.0
            for i in range(first, last + 1):
                b = lo + i * step
                weight = (0.5 if i == 0 or i == GRID else 1.0) * exp(
                    -0.5 * ((b - fall) / sd_fall) ** 2
                )
                above = 1 - 0.5 * erfc(-((target + b * u0 - level) / sd_level) / root2)
                denominator += weight * above
                if b > 0:
                    grid.append((b, weight, 1 - above))
            return denominator, grid

        def mass(grid, day: int) -> float:
            u = u0 + day / 7
            return sum(
                [
                    w * (0.5 * erfc(-((target + b * u - level) / sd_level) / root2) - below0)
                    for b, w, below0 in grid
                ]
            )

        def below(b: float, day: int) -> float:
            """P(below at `day`) on the slope b, as each term of mass() has it."""
            return 0.5 * erfc(-((target + b * (u0 + day / 7) - level) / sd_level) / root2)

        capped = cap_days is not None and 0 < cap_days < horizon_days
        # A past episode: first a glance at the grid's middle, which tells most of them for
        # certain. Not for a slope known (almost) exactly: there the grid's points are too
        # close for rounding to keep their distances in standard deviations.
        if capped and self.slope_var > 0 and sd_fall > 1e-6 * abs(fall):
            told = _after_cap_at_a_glance(
                slope_grid, mass, below, lo, step, fall, sd_fall, qs, horizon_days, cap_days
            )
            if told is not None:
                day = after + timedelta(days=cap_days)
                return [None if t is None else day for t in told]
        denominator, grid = slope_grid(0, GRID)
        if denominator <= 0 or not grid:
            return [None for _ in qs]

        # Every share worked out, by day (share(0) is 0): each search starts from the
        # nearest days known to lie below and above its q.
        seen = {0: 0.0}

        def share(day: int) -> float:
            seen[day] = value = mass(grid, day) / denominator
            return value

        results = []
        at_horizon = share(horizon_days)
        end, at_end = horizon_days, at_horizon
        if capped:
            end, at_end = cap_days, share(cap_days)
        central, spread = self._crossing_guess(target, u0)
        for q in qs:
            if at_horizon < q:
                results.append(None)
                continue
            if at_end < q:  # reached only on or after the cap
                results.append(after + timedelta(days=end))
                continue
            low, at_low = max((d, v) for d, v in seen.items() if v < q)
            high, at_high = min((d, v) for d, v in seen.items() if v >= q)
            hint = None
            if central is not None and 0 < q < 1:
                hint = central + NormalDist().inv_cdf(q) * spread
            high = _first_day_reaching(
                share, q, low, at_low, high, at_high, hint, max(1.0, spread / 4)
            )[2]
            results.append(after + timedelta(days=high))
        return results

    def _crossing_guess(self, target: float, u0: float) -> tuple[float | None, float]:
        """Where the search for a crossing day starts: the day the mean trend reaches
        `target` after u0, and the spread of that day from the level's and the slope's
        (to first order); (None, 0) when the mean trend does not fall."""
        fall = -self.slope
        if fall <= 0:
            return None, 0.0
        rise = self.level - target
        central = (rise / fall - u0) * 7
        spread = 7 * math.sqrt(self.level_var / fall**2 + rise**2 * self.slope_var / fall**4)
        if not (math.isfinite(central) and math.isfinite(spread)):
            return None, 0.0
        return central, spread


# Looks the day search aims by the probits' line before it interpolates and halves.
PROBIT_STEPS = 8
_PROBIT = NormalDist().inv_cdf

# The grid's middle points, either side of its centre, that the glance at a past episode
# sums; the rest lie beyond CENTRE_STEPS x 2 GRID_SDS / GRID standard deviations of the slope.
CENTRE_STEPS = 16
# Room for the rounding of the sums, far beyond it and far below any share that matters.
SLACK = 1e-9
# The middle points' weights as exact slopes have them, exp(-z^2 / 2) at z = (i - GRID / 2)
# x 2 GRID_SDS / GRID standard deviations of the slope, and their sums from each point on. Where
# the glance is used (sd_fall > 1e-6 x |fall|) a computed slope lies within 1e-9 standard
# deviations of its exact place, so a computed weight lies within a factor 1 +- 3e-9 of
# its exact one: WEIGHT_MARGIN leaves room for that many times over.
_MIDDLE_WEIGHTS = [
    math.exp(-0.5 * ((i - GRID // 2) * 2 * GRID_SDS / GRID) ** 2)
    for i in range(GRID // 2 - CENTRE_STEPS, GRID // 2 + CENTRE_STEPS + 1)
]
_MIDDLE_SUMS = [math.fsum(_MIDDLE_WEIGHTS[i:]) for i in range(len(_MIDDLE_WEIGHTS))]
WEIGHT_MARGIN = 1e-5


def _after_cap_at_a_glance(
    slope_grid, mass, below, lo, step, fall, sd_fall, qs, horizon_days, cap_days
):
    """For each q, "none" (not reached by the horizon) or "cap" (reached only on or after
    the cap), as the whole grid would tell it, worked out from the grid's middle points
    alone; None whenever that cannot be told for certain, or a day before the cap is due.

    Most past episodes end with the next infusion long before the trend could reach the
    threshold. Every term of the grid's sums is its point's weight times a share between 0
    and 1, so the points left out add between 0 and the sum of their weights; those lie
    beyond CENTRE_STEPS steps from the middle, where the normal weights fall off faster than
    a geometric series, which bounds their sum. A q is told only when its answer holds at
    both ends of the interval this leaves, so the answer is the whole grid's."""
    middle = GRID // 2
    first, last = middle - CENTRE_STEPS, middle + CENTRE_STEPS
    # The nearest left-out points on either side, in standard deviations of the slope, and
    # a step between neighbours (both a hair short of exact, against rounding).
    edge = min(
        (fall - (lo + (first - 1) * step)) / sd_fall, (lo + (last + 1) * step - fall) / sd_fall
    )
    edge, spacing = edge - 1e-6, step / sd_fall * (1 - 1e-6)
    if edge <= 0 or spacing <= 0:
        return None
    # Each side: sum over j of exp(-(edge + j spacing)^2 / 2) <= exp(-edge^2 / 2) / (1 -
    # exp(-edge spacing)); weights are rounded to within a part in 10^15.
    left_out = 2 * math.exp(-0.5 * edge * edge) / (1 - math.exp(-edge * spacing)) * (1 + 1e-9)
    if _all_after_cap_by_the_ends(
        lo, step, first, last, below, left_out, qs, horizon_days, cap_days
    ):
        return ["cap" for _ in qs]
    denominator, grid = slope_grid(first, last)
    if denominator <= 0 or not grid:
        return None

    def bounds(day):
        part = mass(grid, day)
        return part / (denominator + left_out) - SLACK, (part + left_out) / denominator + SLACK

    horizon_low, horizon_high = bounds(horizon_days)
    cap_high = None
    told = []
    for q in qs:
        if horizon_high < q:
            told.append(None)
            continue
        if horizon_low < q:
            return None
        if cap_high is None:
            cap_high = bounds(cap_days)[1]
        if cap_high >= q:
            return None
        told.append("cap")
    return told


def _all_after_cap_by_the_ends(lo, step, first, last, below, left_out, qs, horizon_days, cap_days):
    """Whether the glance's sums over the grid's points first..last (slope lo + i x step),
    bounded from the sums of their weights (_MIDDLE_SUMS, within WEIGHT_MARGIN) and each
    share's values at the first and last of them alone, tell "cap" for every q (False: sum
    them).

    A term's share, P(below) at a day on a slope b, is monotone in b (the trend is linear
    in it), so over the middle points it lies between its values at the two ends: the sums
    of weight x share lie between those values times the sum of the weights. These bounds
    are wider than the sums the glance works out point by point, so when they tell "cap"
    for every q, so would the sums, and so would the whole grid."""
    low_slope, high_slope = lo + first * step, lo + last * step
    # mass() sums only the points with a fall (b > 0): the slopes rise, so the last ones
    falling = 0
    if low_slope <= 0:
        falling = bisect_right([lo + i * step for i in range(first, last + 1)], 0.0)
        if falling > last - first:
            return False
    # The sums of the weights, of every middle point and of the falling ones, as intervals.
    total, falling_total = _MIDDLE_SUMS[0], _MIDDLE_SUMS[falling]
    low_total, high_total = total * (1 - WEIGHT_MARGIN), total * (1 + WEIGHT_MARGIN)
    low_falling = falling_total * (1 - WEIGHT_MARGIN)
    high_falling = falling_total * (1 + WEIGHT_MARGIN)
    low_fall = lo + (first + falling) * step
    above_first, above_last = 1 - below(low_slope, 0), 1 - below(high_slope, 0)
    low_above = min(above_first, above_last)
    high_above = max(above_first, above_last)
    # the denominator: weight x P(above on the latest result's day), over every middle point
    low_denominator, high_denominator = low_above * low_total, high_above * high_total
    if low_denominator <= 0:
        return False
    # each falling point's term: weight x (P(below by the day) - P(below on the latest day)),
    # at least the least such share times the weights' sum and at most the most (a share
    # below 0 takes the other end of the sum's interval)
    least = min(below(low_fall, horizon_days), below(high_slope, horizon_days)) - (1 - low_above)
    horizon_part = least * (low_falling if least >= 0 else high_falling)
    most = max(below(low_fall, cap_days), below(high_slope, cap_days)) - (1 - high_above)
    cap_part = most * (high_falling if most >= 0 else low_falling)
    horizon_low = horizon_part / (high_denominator + left_out) - SLACK
    cap_high = (max(cap_part, 0.0) + left_out) / low_denominator + SLACK
    return horizon_low >= max(qs) and cap_high < min(qs)


def _first_day_reaching(share, q, low, at_low, high, at_high, hint=None, reach=1.0):
    """The first whole day on which the rising share() reaches q, given share(low) < q <=
    share(high); returns it with the last day below q and its share.

    With a `hint` (a guess at the day), looks there first, then `reach` days on towards q
    (doubling while no two looks have a probit). From two looks with a probit (the normal
    quantile of a share between 0 and 1; the end of low and high nearer the hint counts as
    one) on, each step aims where the straight line through the latest two probits reaches
    q's: a crossing day's distribution is close to normal around its middle, so the line
    lands a day or two from the day. Every look falls strictly inside the days known to
    hold the day and narrows them. After PROBIT_STEPS looks, or where the line does not
    rise, the search goes on by interpolation and halves the interval after any step that
    did not: always the same day bisection finds, in fewer share() evaluations.
    """
    if hint is not None and math.isfinite(hint) and high - low > 1 and 0 < q < 1:
        aim = _PROBIT(q)
        recent = []  # (day, probit of its share) of the looks with a probit, latest last
        # The end nearer the hint, a day looked at before (for an earlier q), may start it.
        near, at_near = (low, at_low) if hint - low <= high - hint else (high, at_high)
        if 0 < at_near < 1:
            recent.append((near, _PROBIT(at_near)))
        step = max(1, round(reach))
        mid = min(high - 1, max(low + 1, round(hint)))
        for _ in range(PROBIT_STEPS):
            value = share(mid)
            if value >= q:
                high, at_high = mid, value
            else:
                low, at_low = mid, value
            if high - low <= 1:
                break
            if 0 < value < 1:
                recent.append((mid, _PROBIT(value)))
            if len(recent) >= 2:
                (before, z_before), (last, z_last) = recent[-2], recent[-1]
                rise = (z_last - z_before) / (last - before)
                if not rise > 0:
                    break
                guess = last + (aim - z_last) / rise
                if not math.isfinite(guess):
                    break
            else:
                guess = mid + step if value < q else mid - step
                step *= 2
            mid = min(high - 1, max(low + 1, round(guess)))
    halve = False
    while high - low > 1:
        width = high - low
        if halve:
            mid = (low + high) // 2
        else:
            guess = low + (q - at_low) * width / (at_high - at_low)
            mid = min(high - 1, max(low + 1, round(guess)))
        value = share(mid)
        if value >= q:
            high, at_high = mid, value
        else:
            low, at_low = mid, value
        halve = high - low > width // 2
    return low, at_low, high
