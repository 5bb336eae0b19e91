"""Ferritin decline after iron infusions: episodes, fits and predicted crossings (pure).

Model from shared/domain.md ("Decline model"): an episode runs from one infusion to
the next; results from the first SPIKE_WEEKS weeks are left out of the decline fit
because ferritin spikes while the iron is taken into stores. Each decline is fitted
two ways: linear (µg/L per week, comparable with the 6.6 µg/L per week Earley et al.
reported) and log-linear (a half-life in weeks). x is always weeks since the infusion.

Results given as "<5" or ">1500" are bounds, not values: they never enter a fit.
Everything here is an estimate from the person's own numbers, never medical advice.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

SPIKE_WEEKS = 4
# Beyond this a "crossing" is numerically meaningless (a nearly flat fit); report none.
MAX_HORIZON_DAYS = 50 * 365
# Self-rated 0–10 severity at which symptoms count as back (see symptoms_returned).
SYMPTOM_RETURN_LEVEL = 5

EXACT = ""
UPPER_BOUNDS = ("<", "<=")  # the true value is at most this
LOWER_BOUNDS = (">", ">=")  # the true value is at least this


@dataclass(frozen=True)
class Point:
    """One ferritin result in µg/L."""

    day: date
    value: float
    comparator: str = EXACT

    @property
    def is_exact(self) -> bool:
        return self.comparator == EXACT

    def is_below(self, threshold: float) -> bool:
        """Known to be below the threshold (a '<' bound counts when the bound is low enough)."""
        if self.comparator in LOWER_BOUNDS:
            return False
        if self.comparator == "<":
            return self.value <= threshold
        return self.value < threshold


@dataclass(frozen=True)
class Dose:
    """One infusion."""

    day: date
    dose_mg: int
    label: str = ""


@dataclass(frozen=True)
class Fit:
    kind: str  # "linear" | "loglinear"
    origin: date  # the infusion day; x = weeks since origin
    slope_per_week: float  # linear: µg/L per week; loglinear: d ln(ferritin) per week
    intercept: float  # linear: µg/L at origin; loglinear: ln µg/L at origin
    r_squared: float
    n_points: int

    def weeks(self, day: date) -> float:
        return (day - self.origin).days / 7

    def value_at(self, day: date) -> float:
        y = self.intercept + self.slope_per_week * self.weeks(day)
        if self.kind == "loglinear":
            return math.exp(min(y, 700.0))  # 700: keep exp() finite for absurd inputs
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

    def rate_at(self, day: date) -> float:
        """µg/L per week falling at this day (positive when falling), for either kind."""
        if self.kind == "loglinear":
            return -self.slope_per_week * self.value_at(day)
        return -self.slope_per_week


@dataclass(frozen=True)
class Episode:
    dose: Dose
    end: date | None  # the next infusion's day; None for the current episode
    points: tuple[Point, ...]  # dose.day (inclusive) to end (exclusive), by day
    baseline: Point | None  # last point before dose.day
    peak: Point | None  # highest point in the episode ('<' bounds cannot be a peak)
    decline_points: tuple[Point, ...]  # exact points >= SPIKE_WEEKS weeks after the dose
    linear: Fit | None
    loglinear: Fit | None
    no_fit_reason: str | None  # plain words whenever linear is None

    @property
    def is_current(self) -> bool:
        return self.end is None

    def weeks_since(self, day: date) -> float:
        return (day - self.dose.day).days / 7

    def fit(self, method: str = "linear") -> Fit | None:
        if method == "loglinear":
            return self.loglinear
        return self.linear


def _r_squared(ys: list[float], predicted: list[float]) -> float:
    mean = statistics.fmean(ys)
    ss_tot = sum((y - mean) ** 2 for y in ys)
    ss_res = sum((y - p) ** 2 for y, p in zip(ys, predicted, strict=True))
    if ss_tot == 0:
        # All results equal: a flat line explains them perfectly (or not at all).
        return 1.0 if ss_res == 0 else 0.0
    return max(0.0, 1 - ss_res / ss_tot)


def fit_decline(points: Iterable[Point], origin: date, kind: str = "linear") -> Fit | None:
    """Ordinary least squares of ferritin (or its log) on weeks since origin.

    None when fewer than two exact points on at least two different days remain.
    """
    exact = [p for p in points if p.is_exact and p.value > 0 and math.isfinite(p.value)]
    if len(exact) < 2 or len({p.day for p in exact}) < 2:
        return None
    xs = [(p.day - origin).days / 7 for p in exact]
    if kind == "loglinear":
        ys = [math.log(p.value) for p in exact]
    elif kind == "linear":
        ys = [p.value for p in exact]
    else:
        raise ValueError(f"unknown fit kind {kind!r}: use 'linear' or 'loglinear'")
    slope, intercept = statistics.linear_regression(xs, ys)
    predicted = [intercept + slope * x for x in xs]
    return Fit(kind, origin, slope, intercept, _r_squared(ys, predicted), len(exact))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _no_fit_reason(points: tuple[Point, ...], late: list[Point]) -> str:
    exact = [p for p in late if p.is_exact]
    bounds = len(late) - len(exact)
    bounds_note = f" ({_plural(bounds, 'result')} given as a bound like '<5' left out)"
    if not points:
        return "no ferritin result since the infusion yet"
    if not late:
        return f"no ferritin result {SPIKE_WEEKS}+ weeks after the infusion yet"
    if len({p.day for p in exact}) < 2 and len(exact) >= 2:
        return f"all results {SPIKE_WEEKS}+ weeks after the infusion are from the same day"
    reason = f"only {_plural(len(exact), 'exact result')} {SPIKE_WEEKS}+ weeks after the infusion"
    return reason + (bounds_note if bounds else "")


def split_episodes(points: Iterable[Point], doses: Iterable[Dose]) -> list[Episode]:
    """One episode per dose, sorted by dose day; inputs may come in any order."""
    ordered = sorted(points, key=lambda p: p.day)
    dose_list = sorted(doses, key=lambda d: d.day)
    episodes = []
    for i, dose in enumerate(dose_list):
        end = dose_list[i + 1].day if i + 1 < len(dose_list) else None
        inside = tuple(p for p in ordered if p.day >= dose.day and (end is None or p.day < end))
        before = [p for p in ordered if p.day < dose.day]
        candidates = [p for p in inside if p.comparator not in UPPER_BOUNDS]
        spike_end = dose.day + timedelta(weeks=SPIKE_WEEKS)
        late = [p for p in inside if p.day >= spike_end]
        decline = tuple(p for p in late if p.is_exact)
        linear = fit_decline(decline, dose.day, "linear")
        episodes.append(
            Episode(
                dose=dose,
                end=end,
                points=inside,
                baseline=before[-1] if before else None,
                peak=max(candidates, key=lambda p: p.value) if candidates else None,
                decline_points=decline,
                linear=linear,
                loglinear=fit_decline(decline, dose.day, "loglinear"),
                no_fit_reason=None if linear else _no_fit_reason(inside, late),
            )
        )
    return episodes


def current_episode(episodes: list[Episode]) -> Episode | None:
    return episodes[-1] if episodes else None


def observed_crossing(episode: Episode, threshold: float) -> Point | None:
    """The first result after the peak (or the spike) known to be below the threshold."""
    start = episode.peak.day if episode.peak else episode.dose.day
    for p in episode.points:
        if p.day >= start and p.is_below(threshold):
            return p
    return None


@dataclass(frozen=True)
class Prediction:
    crossing: date | None  # predicted day ferritin reaches the threshold; None: not predicted
    method: str  # "linear" | "loglinear" | "population" | "below" | "none"
    n_points: int  # results the prediction rests on
    decline_per_week: float | None  # µg/L per week, positive when falling
    explanation: str
    is_population_default: bool
    start: Point | None = None  # where a drawn projection starts (latest result or fit)

    @property
    def is_prediction(self) -> bool:
        return self.crossing is not None and self.method not in ("below", "none")


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if abs(value) < 100 else f"{value:.0f}"


def predict_crossing(
    episode: Episode,
    threshold: float,
    *,
    population_slope: float | None = None,
    latest: Point | None = None,
    method: str = "linear",
) -> Prediction:
    """When ferritin in this episode is predicted to reach the threshold.

    From the episode's own fit when it has one; otherwise, if population_slope
    (µg/L per week, positive when falling) is given, from the latest exact result
    at that slope, labelled as the population default.
    """
    if latest is None or latest.day < episode.dose.day:
        latest = episode.points[-1] if episode.points else None
    if latest is not None and latest.is_below(threshold):
        return Prediction(
            None,
            "below",
            1,
            None,
            f"the latest result ({_day(latest.day)}) is already below "
            f"the threshold of {_fmt(threshold)} µg/L",
            False,
            latest,
        )
    fit = episode.fit(method)
    if fit is not None:
        name = "log-linear" if fit.kind == "loglinear" else "linear"
        of = f"{name} fit of {fit.n_points} results"
        if fit.slope_per_week >= 0:
            return Prediction(
                None,
                "none",
                fit.n_points,
                None,
                f"{of}: ferritin is not falling, so no crossing is predicted",
                False,
            )
        at = latest.day if latest else episode.dose.day
        rate = fit.rate_at(at)
        detail = (
            f"half-life {_fmt(fit.half_life_weeks)} weeks"
            if fit.kind == "loglinear"
            else f"{_fmt(rate)} µg/L per week"
        )
        crossing = fit.crossing(threshold)
        return Prediction(
            crossing,
            fit.kind,
            fit.n_points,
            rate,
            f"{of}, {detail}" + ("" if crossing else "; too slow a fall to predict a date"),
            False,
            Point(at, fit.value_at(at)),
        )
    reason = episode.no_fit_reason or "no fit"
    if population_slope is None or population_slope <= 0:
        return Prediction(None, "none", 0, None, f"No prediction: {reason}.", False)
    start = latest if latest is not None and latest.is_exact else None
    if start is None:
        exact = [p for p in episode.points if p.is_exact]
        start = exact[-1] if exact else None
    if start is None:
        return Prediction(None, "none", 0, None, f"No prediction: {reason}.", False)
    days = (start.value - threshold) / population_slope * 7
    crossing = None
    if abs(days) <= MAX_HORIZON_DAYS:
        crossing = start.day + timedelta(days=math.ceil(round(days, 6)))
    return Prediction(
        crossing,
        "population",
        1,
        population_slope,
        f"population default of {_fmt(population_slope)} µg/L per week from the result "
        f"of {_day(start.day)}, not your own decline ({reason})",
        True,
        start,
    )


def symptoms_returned(
    episode: Episode, scores: Iterable[tuple[date, int]], level: int = SYMPTOM_RETURN_LEVEL
) -> date | None:
    """The first score at or above `level` after scores had fallen below it in this episode."""
    improved = False
    for day, severity in sorted(scores):
        if day < episode.dose.day or (episode.end is not None and day >= episode.end):
            continue
        if severity < level:
            improved = True
        elif improved:
            return day
    return None
