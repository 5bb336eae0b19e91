"""The combined estimate of when ferritin reaches the threshold, with its 80 % window (pure).

Scale. Rates are pooled as a fractional fall per week, k = -d ln(ferritin)/dt: a person's
episodes start from different peaks, and a fall of 6.6 µg/L a week from 800 is a slower
fall than 6.6 from 200. Earley's population figure (6.6 µg/L per week, a linear rate) is
turned into a fractional rate at the level this episode's projection starts from (its
latest usable result): k0 = 6.6 / that level, so at the start both say the same.

Sources (a normal-normal update; every spread below is the app's own choice, because no
published spread accompanies the population figure):
- population prior: k ~ N(k0, (spread x k0)^2), spread 0.5 by default. Earley et al. saw
  6.6 after the first dose and 2.3 in the last course: 2.3 lies at the edge of this
  prior's 80 % range, so the spread lets such a person in without overruling their data.
- earlier fitted episodes (log-linear, 2+ results): each slope's variance plus EPISODE_SPREAD^2
  (episodes differ); with the prior, the usual rate, from which this one differs by it again.
- this episode's results: a regression of ln(ferritin) on weeks with the prior above on
  its slope, a flat prior on its level, and a scatter of one result around the trend of
  NOISE (15 %, of the order of ferritin's within-person variation), updated by the
  residuals once there are 3+ results.
From MODEL_MIN_POINTS usable results the episode speaks for itself: the chosen model
(kinetics.choose_model: linear or log-linear) fitted alone, its scatter from its
residuals, widened to Student's t for the 80 % interval.

Window. The crossing day is where the trend reaches the threshold. Its distribution
follows from the posterior of the trend's level and slope, conditioned on the trend being
above the threshold at the latest exact result (which was above): so no date is ever
earlier than that result. Early, central and late dates are its 10 %, 50 % and 90 %
points. When the slope's 80 % interval includes no fall, or the 90 % point lies beyond
MAX_HORIZON_DAYS, there is no date: "no clear decline yet". A past episode's dates never
run past the next infusion.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from rlsapp.domain import fits, kinetics
from rlsapp.domain.kinetics import Episode, Point
from rlsapp.domain.records import quick_init
from rlsapp.domain.trend import Trend

NOISE = 0.15  # scatter of one result around the trend, as a fraction (log scale)
NOISE_WEIGHT = 2  # how many results' worth of residuals the assumed scatter counts as
EPISODE_SPREAD = 0.01  # per week: how much one person's episodes differ in fractional rate
POPULATION_SPREAD = 0.5  # the population prior's standard deviation, as a fraction of k0
EARLEY_SLOPE = 6.6
ESTIMATE, BELOW, NO_DECLINE, NONE, BOUND, AFTER_END = (
    "estimate",
    "below",
    "no_decline",
    "none",
    "bound",
    "after_end",
)


# What an estimate rests on, named beside its dates (the re-check card, the charts page):
# the words to the person themself, and to anyone else looking at the person.
BASIS_POPULATION = "population"  # the population default alone speaks about the rate
BASIS_OWN = "own"  # earlier infusions of the person's own (population default off)
BASIS_OWN_POPULATION = "own_population"  # earlier infusions and the population prior
BASIS_CURRENT_POPULATION = "current_population"  # this infusion's results and the prior
BASIS_WORDS = {
    BASIS_POPULATION: (
        "Population default, not your own data",
        "Population default, not this person’s own data",
    ),
    BASIS_OWN: ("From your own history", "From this person’s own history"),
    BASIS_OWN_POPULATION: (
        "From your own history and the population default",
        "From this person’s history and the population default",
    ),
    BASIS_CURRENT_POPULATION: (
        "From this infusion’s results and the population default",
        "From this infusion’s results and the population default",
    ),
}


def basis_words(basis: str, about_me: bool) -> str:
    """The words for an estimate's basis ('' for none); `about_me`: the reader is the person."""
    if not basis:
        return ""
    mine, theirs = BASIS_WORDS[basis]
    return mine if about_me else theirs


@quick_init
@dataclass(frozen=True)
class Estimate:
    status: str  # ESTIMATE | BELOW | NO_DECLINE | NONE | BOUND | AFTER_END
    model: str  # "pooled" | "linear" | "loglinear" | "" (no fit)
    sources: tuple[str, ...]  # of "population", "history", "current"
    explanation: str  # plain words: what went in and what came out
    crossing: date | None = None  # the central (most likely) day
    early: date | None = None  # 10 % point of the window
    late: date | None = None  # 90 % point; None past the next infusion
    rate: float | None = None  # fractional fall per week (log scale) or µg/L per week
    rate_low: float | None = None  # the 80 % interval of that fall
    rate_high: float | None = None
    decline_per_week: float | None = None  # µg/L per week at the start
    start: Point | None = None  # where the projection starts (latest usable result)
    n_points: int = 0  # this episode's results that went in
    n_episodes: int = 0  # earlier episodes that went in
    trend: Trend | None = None
    population_slope: float | None = None

    @property
    def has_date(self) -> bool:
        return self.status == ESTIMATE and self.crossing is not None

    @property
    def is_population_only(self) -> bool:
        """Only the population default speaks about the rate (one result of this episode)."""
        return "history" not in self.sources and "population" in self.sources and self.n_points < 2

    @property
    def basis(self) -> str:
        """What the estimate rests on (a key of BASIS_WORDS), '' for this infusion's
        results alone. Never more of the person's own data than went in: the population
        prior blended with their results is named beside them."""
        if "population" in self.sources:
            if self.is_population_only:
                return BASIS_POPULATION
            return BASIS_OWN_POPULATION if "history" in self.sources else BASIS_CURRENT_POPULATION
        return BASIS_OWN if "history" in self.sources else ""

    @property
    def half_life_weeks(self) -> float | None:
        if self.status != ESTIMATE or self.model == "linear" or not self.rate:
            return None
        return math.log(2) / self.rate


def population_words(slope: float) -> str:
    """Earley is cited only for his own figure, with the product it was measured after."""
    if slope == EARLEY_SLOPE:
        return (
            "the population default of 6.6 µg/L per week (Earley et al. 2005, measured "
            "after iron dextran; other products may differ)"
        )
    return f"the population setting of {kinetics._fmt(slope)} µg/L per week"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _sources_words(sources, n_points, n_episodes, population_slope) -> str:
    parts = []
    if "history" in sources:
        parts.append(_plural(n_episodes, "earlier episode"))
    if "current" in sources:
        parts.append(f"this episode's {_plural(n_points, 'result')}")
    if "population" in sources:
        parts.append(population_words(population_slope))
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


class _Rates:
    """Earlier episodes' rates as evidence, oldest first: each rate and variance, and the
    terms the prior sums of them (1 / variance, rate / variance), worked out once however
    many later episodes read them."""

    __slots__ = ("rates", "inverse", "weighted")

    def __init__(self, rates: Iterable[tuple[float, float]] = ()):
        self.rates, self.inverse, self.weighted = [], [], []
        for rate, var in rates:
            self.add(rate, var)

    def add(self, rate: float, var: float) -> None:
        self.rates.append((rate, var))
        self.inverse.append(1 / var)
        self.weighted.append(rate / var)


def _history_rates(history: Iterable[Episode]) -> list[tuple[float, float]]:
    """(fractional fall per week, its variance as evidence about another episode)."""
    # split_episodes keeps only usable decline points and fits them log-linearly from
    # the dose's day: the very fit this needs, so it is read, not fitted again.
    return [_episode_rate(episode) for episode in history if episode.loglinear is not None]


def _episode_rate(episode: Episode) -> tuple[float, float]:
    fit = episode.loglinear
    numbers = kinetics.numbers_of(episode)
    if numbers is None:  # an episode not made by split_episodes
        numbers = kinetics.DeclineNumbers(tuple(episode.decline_points), episode.dose.day)
    if fit.origin == numbers.origin:
        fitted = _log_line_values(numbers.xs, fit.slope_per_week, fit.intercept)
    else:
        fitted = [fit.value_at(p.day) for p in numbers.points]
    return _rate(numbers, fit.slope_per_week, fitted)


def _log_line_values(xs, slope, intercept) -> list[float]:
    """A log-linear fit's value_at of each point, from its weeks (Fit.value_at's sums)."""
    return [math.exp(min(intercept + slope * x, fits.LOG_CAP)) for x in xs]


def _rate(numbers: kinetics.DeclineNumbers, slope, fitted) -> tuple[float, float]:
    """An earlier episode's rate and its variance, from its decline points' log-linear fit:
    its slope and its values at the points."""
    logs = numbers.of("loglinear")[0]
    ss_res = sum([(y - math.log(q)) ** 2 for y, q in zip(logs, fitted, strict=True)])
    sigma2 = (NOISE_WEIGHT * NOISE**2 + ss_res) / (NOISE_WEIGHT + len(numbers.points) - 2)
    return -slope, sigma2 / numbers.sxx + EPISODE_SPREAD**2


def estimate_last(
    points: Iterable[Point],
    doses: Sequence[kinetics.Dose],
    threshold: float,
    *,
    population_slope: float | None = None,
    population_spread: float = POPULATION_SPREAD,
) -> Estimate:
    """estimate() of the last dose's episode with the earlier episodes as its history: the
    same estimate, but of the earlier episodes only their rates are worked out (their
    decline points and log-linear fits, as split_episodes makes them), not whole episodes
    with both fits, baseline and peak."""
    points, doses = list(points), sorted(doses, key=lambda d: d.day)
    if doses:
        # Told by the latest result alone (_estimate's first answer): only the episode's
        # points are read; nothing is fitted and no earlier rate worked out.
        latest_points = kinetics.points_since(points, doses[-1])
        state = kinetics.latest_state(latest_points, threshold)[0]
        if state in ("below", "bound"):
            return _by_the_latest(latest_points, state, threshold)
    episode = kinetics.split_episodes(points, doses[-1:])[0]
    if not any(p.usable for p in episode.decline_points):
        # No result to fit yet (_estimate's next answer): no rate is read.
        return _estimate(episode, threshold, _Rates(), population_slope, population_spread)
    rates = _Rates()
    for dose, decline in kinetics.decline_each(points, doses)[:-1]:
        # fit_decline's checks; of the fit only its line is read.
        if len(decline) >= 2 and len({p.day for p in decline}) >= 2:
            numbers = kinetics.DeclineNumbers(decline, dose.day)
            slope, intercept = numbers.line("loglinear")
            rates.add(*_rate(numbers, slope, _log_line_values(numbers.xs, slope, intercept)))
    return _estimate(episode, threshold, rates, population_slope, population_spread)


def estimate(
    episode: Episode,
    threshold: float,
    *,
    history: Iterable[Episode] = (),
    population_slope: float | None = None,
    population_spread: float = POPULATION_SPREAD,
) -> Estimate:
    """The combined estimate for one episode (see the module's docstring)."""
    rates = _Rates(_history_rates(history))
    return _estimate(episode, threshold, rates, population_slope, population_spread)


def estimate_each(
    episodes: Sequence[Episode],
    threshold: float,
    wanted: Callable[[Episode], bool],
    *,
    population_slope: float | None = None,
    population_spread: float = POPULATION_SPREAD,
) -> list[Estimate | None]:
    """estimate() of each of a person's episodes (oldest first) that is `wanted`, with the
    episodes before it as its history; None for the others. The same estimates as one
    estimate() call each, but each episode's rate is worked out once, not again for every
    later episode."""
    rates = _Rates()
    estimates = []
    for episode in episodes:
        estimates.append(
            _estimate(episode, threshold, rates, population_slope, population_spread)
            if wanted(episode)
            else None
        )
        for rate, var in _history_rates([episode]):
            rates.add(rate, var)
    return estimates


_MODEL_LABELS = {
    "pooled": "combined estimate",
    "linear": "linear fit",
    "loglinear": "log-linear fit",
}


def _by_the_latest(points, state: str, threshold) -> Estimate:
    """The estimate the latest of an episode's points tells alone ('below' or 'bound')."""
    words = kinetics.latest_reading(points, threshold).words
    return Estimate(
        BELOW if state == "below" else BOUND, "", (), words[0].upper() + words[1:] + "."
    )


def _estimate(episode, threshold, rates: _Rates, population_slope, population_spread):
    state, latest = kinetics.latest_state(episode.points, threshold)
    if state in ("below", "bound"):
        return _by_the_latest(episode.points, state, threshold)
    numbers = kinetics.numbers_of(episode)
    if numbers is None:
        points = [p for p in episode.decline_points if p.usable]
        if not points:
            reason = episode.no_fit_reason or "no usable result"
            return Estimate(NONE, "", (), f"No estimate yet: {reason}.")
        numbers = kinetics.DeclineNumbers(tuple(points), episode.dose.day)
    # Each point's weeks since the dose, their mean and sum of squares about it, and each
    # kind's values with their mean, spread and regression line: as split_episodes's fits
    # worked them out (the same expressions), not again.
    points = numbers.points
    start = points[-1]
    model = kinetics.choose_model(episode)
    xs, mean_x, sxx = numbers.xs, numbers.mean_x, numbers.sxx
    n = len(points)
    sources: tuple[str, ...]
    if model == "pooled":
        scale = "log"
        ys, mean_y, _spread = numbers.of("loglinear")
        # The prior's terms: the population's, then each earlier episode's; with earlier ones,
        # the person's usual rate, from which this episode differs by EPISODE_SPREAD.
        inverse, weighted = rates.inverse, rates.weighted
        population = population_slope is not None and population_slope > 0
        if population:
            k0 = population_slope / start.value
            var = (population_spread * k0) ** 2
            inverse, weighted = [1 / var, *inverse], [k0 / var, *weighted]
        if rates.inverse:
            usual = sum(inverse)
            var = 1 / usual + EPISODE_SPREAD**2
            inverse, weighted = [1 / var], [sum(weighted) / usual / var]
        prior_precision = sum(inverse)
        prior_mean = sum(weighted) / prior_precision if prior_precision else 0.0
        ss_res = 0.0
        if sxx > 0:
            slope, intercept = numbers.line("loglinear")
            ss_res = sum([(y - intercept - slope * x) ** 2 for x, y in zip(xs, ys, strict=True)])
        sigma2 = (NOISE_WEIGHT * NOISE**2 + ss_res) / (NOISE_WEIGHT + max(n - 2, 0))
        n_episodes = len(rates.rates)
        sources = ("history",) * bool(n_episodes) + ("current",) + ("population",) * population
    else:
        scale = "log" if model == "loglinear" else "linear"
        ys, mean_y, spread = numbers.of(model)
        slope, intercept = numbers.line(model)
        ss_res = sum([(y - intercept - slope * x) ** 2 for x, y in zip(xs, ys, strict=True)])
        if ss_res <= 1e-18 * spread:
            ss_res = 0.0  # on the line but for float noise: one exact day
        # Widen the normal to Student's t so the 80 % interval has its nominal width.
        sigma2 = ss_res / (n - 2) * (kinetics.t90(n - 2) / kinetics.Z90) ** 2
        prior_precision, prior_mean = 0.0, 0.0
        sources, n_episodes = ("current",), 0
    sxy = sum([(x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)])
    data_precision = sxx / sigma2 if sigma2 > 0 else (math.inf if sxx > 0 else 0.0)
    precision = prior_precision + data_precision
    used = _sources_words(sources, n, n_episodes, population_slope)
    if precision == 0:
        return Estimate(
            NONE,
            model,
            (),
            f"No estimate yet: only {_plural(n, 'result')} {kinetics.SPIKE_WEEKS}+ weeks after "
            "the infusion, no earlier episode to learn from, and the population default is off.",
            start=start,
            n_points=n,
        )
    if math.isinf(data_precision):
        fall, fall_var = -sxy / sxx, 0.0
    else:
        # prior_mean is a fall (positive); the data's slope is a rise (negative when falling).
        fall = (prior_precision * prior_mean - sxy / sigma2) / precision
        fall_var = 1 / precision
    trend = Trend(scale, episode.dose.day, mean_x, mean_y, sigma2 / n, -fall, fall_var)
    half = kinetics.Z90 * math.sqrt(fall_var)
    level = start.value if scale == "log" else 1.0
    common = dict(
        rate=fall,
        rate_low=fall - half,
        rate_high=fall + half,
        decline_per_week=fall * level,
        start=start,
        n_points=n,
        n_episodes=n_episodes,
        trend=trend,
        population_slope=population_slope if "population" in sources else None,
    )
    basis = f"{_MODEL_LABELS[model]} from {used}"
    if model != "pooled":
        basis = f"{_MODEL_LABELS[model]} of {used}"
    if fall - half <= 0:
        return Estimate(
            NO_DECLINE,
            model,
            sources,
            f"No clear decline yet: the likely range of the fall still includes no fall ({basis}).",
            **common,
        )
    cap = (episode.end - latest.day).days if episode.end is not None else None
    early, central, late = trend.crossing_quantiles(
        threshold, latest.day, (0.1, 0.5, 0.9), kinetics.MAX_HORIZON_DAYS, cap
    )
    if late is None or central is None or early is None:
        return Estimate(
            NO_DECLINE,
            model,
            sources,
            f"No clear decline yet: too slow or too uncertain a fall to give a date ({basis}).",
            **common,
        )
    if episode.end is not None and central >= episode.end:
        return Estimate(
            AFTER_END,
            model,
            sources,
            f"Not estimated to reach the threshold before the next infusion ({basis}).",
            **common,
        )
    if episode.end is not None and late >= episode.end:
        late = None
    return Estimate(
        ESTIMATE, model, sources, basis[0].upper() + basis[1:] + ".", central, early, late, **common
    )


def month_text(day: date, year: bool = True) -> str:
    return f"{day:%B %Y}" if year else f"{day:%B}"


def window_words(est: Estimate, relative_to: date | None = None) -> str:
    """'most likely in March 2027; between February and May 2027', in plain words."""
    if not est.has_date:
        return ""
    central, early, late = est.crossing, est.early, est.late
    if late == early:
        return f"around {central.day} {month_text(central)}"
    if late is None:
        return (
            f"most likely in {month_text(central)}; between {month_text(early)} "
            "and the next infusion"
        )
    if (early.year, early.month) == (late.year, late.month):
        return (
            f"most likely in {month_text(central)}; between {early.day} and "
            f"{late.day} {month_text(late)}"
        )
    first = month_text(early, early.year != late.year)
    return f"most likely in {month_text(central)}; between {first} and {month_text(late)}"
