"""A decline trend's posterior and the days by which it reaches a threshold (pure).

The window of rlsapp.domain.estimate: the crossing day's distribution follows from the
posterior of the trend's level and slope (independent normals), conditioned on the trend
being above the threshold at the latest exact result (_above_and_falling integrates it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import NormalDist

from rlsapp.domain.fits import LOG_CAP
from rlsapp.domain.records import quick_init

STEPS = 120  # Simpson intervals of each integral (even)
# Each integral spans its variable's mean +- this many standard deviations.
SPAN_SDS = 8
ROOT2 = math.sqrt(2)
# How far a bound must settle a quantile before the integrals are left out (Trend.
# _after_the_cap_for_certain).
MARGIN = 1e-6
_SIMPSON = [1.0] + [4.0 if i % 2 else 2.0 for i in range(1, STEPS)] + [1.0]


def _above_and_falling(level, sd_level, fall, sd_fall, target):
    """P(the trend is above `target` at u and falls), as a function of u: P(L - b u >
    target, b > 0) for the trend's level L ~ N(level, sd_level^2) and fall b ~ N(fall,
    sd_fall^2), independent.

    One variable is integrated (Simpson's rule) and the other's normal CDF taken exactly.
    Which one: the integrand must change smoothly over a step. Over the fall, the CDF of
    the level changes on a scale of sd_level / u, which far ahead gets much narrower than
    the fall's own spread: a grid over the fall then steps over the day a slope crosses,
    and far quantiles (the window's late end) come out years off. Over the level, the
    CDF of the fall changes on a scale of u x sd_fall. So the fall is integrated while
    u x sd_fall <= sd_level, the level beyond. Each variable's nodes and their weights
    are the same at every u: worked out once, for the many days a search looks at."""
    erfc, fsum = math.erfc, math.fsum
    over_fall = _simpson_nodes(max(0.0, fall - SPAN_SDS * sd_fall), fall, sd_fall)
    over_level = _simpson_nodes(max(target, level - SPAN_SDS * sd_level), level, sd_level)
    not_falling = erfc(fall / sd_fall / ROOT2)

    def at(u: float) -> float:
        if u <= 0 or u * sd_fall <= sd_level:
            if over_fall is None:
                return 0.0
            # b = lo + i x step: the level's CDF argument at u.
            lo, step, weights = over_fall
            a0, da = (target + lo * u - level) / sd_level / ROOT2, step * u / sd_level / ROOT2
            return fsum([w * erfc(a0 + i * da) for i, w in enumerate(weights)])
        if over_level is None:
            return 0.0
        # L = lo + i x step: the fall's CDF argument (the fall small enough to stay above
        # at u is 0 < b < (L - target) / u).
        lo, step, weights = over_level
        a0, da = -((lo - target) / u - fall) / sd_fall / ROOT2, -step / u / sd_fall / ROOT2
        return fsum([w * (erfc(a0 + i * da) - not_falling) for i, w in enumerate(weights)])

    return at


def _simpson_nodes(lo, mean, sd):
    """(lo, step, weights) of Simpson's rule from `lo` to SPAN_SDS standard deviations above
    the mean, each weight times the normal density there (and halved, as erfc is twice a
    normal tail); None when the span is empty."""
    hi = mean + SPAN_SDS * sd
    if not hi > lo:
        return None
    step = (hi - lo) / STEPS
    z0, dz = (lo - mean) / sd, step / sd
    scale = step / 6 / (sd * math.sqrt(2 * math.pi))
    return (
        lo,
        step,
        [w * math.exp(-0.5 * (z0 + i * dz) ** 2) * scale for i, w in enumerate(_SIMPSON)],
    )


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

        def above(u: float) -> float:
            """P(above the threshold at u): the trend there is one normal."""
            spread = math.sqrt(sd_level**2 + (u * sd_fall) ** 2)
            return 0.5 * math.erfc((target - self.level + fall * u) / spread / ROOT2)

        denominator = above(u0)  # P(above on the latest result's day)
        if not denominator > 0:
            return [None for _ in qs]
        capped = cap_days is not None and 0 < cap_days < horizon_days
        if capped:
            not_falling = 0.5 * math.erfc(fall / sd_fall / ROOT2)
            ends = (above(u0 + cap_days / 7), above(u0 + horizon_days / 7))
            if _after_the_cap_for_certain(denominator, *ends, not_falling, qs):
                day = after + timedelta(days=cap_days)
                return [day for _ in qs]
        above_and_falling = _above_and_falling(self.level, sd_level, fall, sd_fall, target)
        falling_above0 = above_and_falling(u0)
        if not falling_above0 > 0:
            return [None for _ in qs]

        # Every share worked out, by day (share(0) is 0): each search starts from the
        # nearest days known to lie below and above its q.
        seen = {0: 0.0}

        def share(day: int) -> float:
            """P(reached by `day` | above on the latest result's day). A trend reaches the
            threshold between the two days only on a falling slope, where being above at
            the later day implies being above at the earlier one."""
            later = above_and_falling(u0 + day / 7)
            seen[day] = value = (falling_above0 - later) / denominator
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


def _after_the_cap_for_certain(above0, above_at_cap, above_at_horizon, not_falling, qs) -> bool:
    """Whether every q is reached after the cap (a past episode's next infusion) and by the
    horizon, told from P(above the threshold) on the latest result's day, at the cap and at
    the horizon, and P(no fall), without the integrals.

    Most past episodes end long before their trend could reach the threshold. share(day) is
    P(falling, above on the latest result's day, not above on the day) / above0, and that
    probability lies within above0 - P(above on the day), give or take P(no fall) (a
    falling trend above on the day was above before it). Where those bounds settle every
    q by more than MARGIN (far beyond the integrals' own error), the integrals would too."""
    by_cap_at_most = (above0 - above_at_cap + not_falling) / above0
    by_horizon_at_least = (above0 - not_falling - above_at_horizon) / above0
    return by_cap_at_most < min(qs) - MARGIN and by_horizon_at_least >= max(qs) + MARGIN


# Looks the day search aims by the probits' line before it interpolates and halves.
PROBIT_STEPS = 8
_PROBIT = NormalDist().inv_cdf


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
