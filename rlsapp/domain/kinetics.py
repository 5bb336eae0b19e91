"""Ferritin decline after iron infusions: episodes, fits and predicted crossings (pure).

Model from shared/domain.md ("Decline model"): an episode runs from one infusion to
the next; results from the first SPIKE_WEEKS weeks are left out of the decline fit
because ferritin spikes while the iron is taken into stores. Each decline is fitted
two ways: linear (µg/L per week, comparable with the 6.6 µg/L per week Earley et al.
reported) and log-linear (a half-life in weeks). x is always weeks since the infusion.

Results given as "<5" or ">1500" are bounds, not values: they never enter a fit, and
`latest_reading` is the one rule for what a bound as the latest result means. A draw
dated an infusion's day is that infusion's pre-infusion baseline unless marked as taken
after it; a draw left out (`excluded`) stays in the episode's points but enters no fit.
Infusions within a course window (`group_courses`) form one episode dated from the last
dose. The combined estimate and its window live in rlsapp.domain.estimate.
Everything here is an estimate from the person's own numbers, never medical advice.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import attrgetter

# The fits live in their own module; named here too, where callers have always found them.
from rlsapp.domain.fits import (  # noqa: F401
    MAX_HORIZON_DAYS,
    SHOWN_MIN_POINTS,
    T90,
    Z90,
    DeclineNumbers,
    Fit,
    fit_decline,
    sse_ugl,
    t90,
)
from rlsapp.domain.records import quick_init

SPIKE_WEEKS = 4
_SPIKE = timedelta(weeks=SPIKE_WEEKS)  # made once: a timedelta from weeks is slow to make
# Self-rated 0–10 severity at which symptoms count as back (see symptoms_returned).
SYMPTOM_RETURN_LEVEL = 5
# From this many usable results an episode is fitted on its own (linear or log-linear);
# below it the pooled estimate (rlsapp.domain.estimate) decides.
MODEL_MIN_POINTS = 4
EXACT = ""
UPPER_BOUNDS = ("<", "<=")  # the true value is at most this
LOWER_BOUNDS = (">", ">=")  # the true value is at least this
# Sort keys of points and doses: the attribute, read without a Python call per item.
_DAY, _VALUE = attrgetter("day"), attrgetter("value")


@quick_init
@dataclass(frozen=True)
class Point:
    """One ferritin result in µg/L."""

    day: date
    value: float
    comparator: str = EXACT
    after_infusion: bool = False  # drawn after an infusion on the same day (else baseline)
    excluded: bool = False  # left out of every fit and estimate, kept in tables
    lab: str = ""
    # Why it is left out, in the chart's words, where a caller shows it (the re-check's
    # latest result): not part of what the point is.
    left_out: str = field(default="", compare=False, repr=False)

    @property
    def is_exact(self) -> bool:
        return self.comparator == EXACT

    @property
    def usable(self) -> bool:
        """Exact, not left out, and a positive finite number: may enter a fit."""
        return self.is_exact and not self.excluded and 0 < self.value < math.inf

    def is_below(self, threshold: float) -> bool:
        """Known to be below the threshold (a '<' bound counts when the bound is low enough)."""
        if self.comparator in LOWER_BOUNDS:
            return False
        if self.comparator == "<":
            return self.value <= threshold
        return self.value < threshold


@quick_init
@dataclass(frozen=True)
class Dose:
    """One infusion, or a split-dose course (dated from its last dose, with the total)."""

    day: date
    dose_mg: int
    label: str = ""
    first_day: date | None = None  # a course's first dose; None for a single infusion
    count: int = 1  # doses in the course

    @property
    def start(self) -> date:
        return self.first_day or self.day


@quick_init
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
    # The decline points' numbers both fits were made from (split_episodes), for the
    # estimate to read instead of working them out again; None when there is no fit.
    numbers: DeclineNumbers | None = field(default=None, repr=False, compare=False)

    @property
    def labs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.lab for p in self.points if p.lab))

    @property
    def is_current(self) -> bool:
        return self.end is None

    def fit(self, method: str = "linear") -> Fit | None:
        if method == "loglinear":
            return self.loglinear
        return self.linear


def numbers_of(episode: Episode) -> DeclineNumbers | None:
    """The numbers split_episodes worked out for the episode's decline points, if these
    are still its points and dose (an episode made otherwise has none)."""
    numbers = episode.numbers
    if (
        numbers is None
        or numbers.points is not episode.decline_points
        or numbers.origin != episode.dose.day
    ):
        return None
    return numbers


def choose_model(episode: Episode) -> str:
    """'pooled' below MODEL_MIN_POINTS usable results; from there the fit with the
    smaller squared residuals in µg/L ('linear' on a tie)."""
    usable = [p for p in episode.decline_points if p.usable]
    if len(usable) < MODEL_MIN_POINTS or episode.linear is None or episode.loglinear is None:
        return "pooled"
    numbers = numbers_of(episode)
    if numbers is not None and episode.linear.origin == episode.loglinear.origin == numbers.origin:
        linear, loglinear = numbers.sse_ugl(episode.linear), numbers.sse_ugl(episode.loglinear)
    else:
        linear, loglinear = sse_ugl(episode.linear, usable), sse_ugl(episode.loglinear, usable)
    # Compare beyond float noise so exact linear data do not flip to log-linear.
    return "loglinear" if loglinear < linear - 1e-9 * max(1.0, linear) else "linear"


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


def in_episode(point: Point, start: date, end: date | None) -> bool:
    """Whether a draw belongs to the episode from `start` (an infusion's day) to `end`.

    A draw on an infusion's day is that infusion's pre-infusion baseline unless it is
    marked as taken after it.
    """
    if point.day < start or (point.day == start and not point.after_infusion):
        return False
    return end is None or point.day < end or (point.day == end and not point.after_infusion)


def points_since(points: Iterable[Point], dose: Dose) -> tuple[Point, ...]:
    """The points of the episode from `dose` with no dose after it, by day: split_episodes'
    points of a person's last episode, without its fits."""
    ordered = sorted(points, key=_DAY)
    start = dose.start
    first = len(ordered)
    while first and ordered[first - 1].day >= start:
        first -= 1
    return tuple([p for p in ordered[first:] if in_episode(p, start, None)])


def group_courses(doses: Iterable[Dose], course_days: int = 14) -> list[Dose]:
    """Doses within `course_days` of a course's first dose form one course: dated from
    its last dose, with the total dose (2 x 750 mg FCM a week apart is one episode)."""
    courses: list[list[Dose]] = []
    for dose in sorted(doses, key=_DAY):
        if courses and (dose.day - courses[-1][0].day).days <= course_days:
            courses[-1].append(dose)
        else:
            courses.append([dose])
    grouped = []
    for course in courses:
        if len(course) == 1:
            grouped.append(course[0])
            continue
        total = sum(d.dose_mg for d in course)
        labels = [d.label for d in course if d.label]
        label = " + ".join(labels) if labels else f"{len(course)} doses, {total} mg"
        grouped.append(Dose(course[-1].day, total, label, course[0].day, len(course)))
    return grouped


def lab_change(before: Iterable[str], after: Iterable[str]) -> str:
    """Plain words when the labs of two episodes differ (assays differ), else ''."""
    old = [lab for lab in dict.fromkeys(before) if lab]
    new = [lab for lab in dict.fromkeys(after) if lab]
    if not old or not new or set(old) & set(new):
        return ""
    return (
        f"Lab changed from {', '.join(old)} to {', '.join(new)}: assays differ, so a jump "
        "between these episodes may come from the lab, not from the body."
    )


def _each_dose(ordered: list[Point], days: list[date], doses: Iterable[Dose]):
    """Each dose by day, the next one's start (None for the last), its episode's points,
    those from SPIKE_WEEKS on but left-out ones, and the usable of those (its decline)."""
    dose_list = sorted(doses, key=_DAY)
    for i, dose in enumerate(dose_list):
        start, spike_end = dose.start, dose.day + _SPIKE
        end = dose_list[i + 1].start if i + 1 < len(dose_list) else None
        # Only the points from the dose's day to the next's can be inside (by bisection:
        # ten years of results and infusions are too many to scan once per infusion).
        last = len(ordered) if end is None else bisect_right(days, end)
        # in_episode(p, start, end) for the points from the dose's day to the next's: on
        # either of those days a draw belongs by its after_infusion mark alone.
        inside = [
            p
            for p in ordered[bisect_left(days, start) : last]
            if (p.day != start or p.after_infusion) and (p.day != end or not p.after_infusion)
        ]
        late = [p for p in inside if p.day >= spike_end and not p.excluded]
        yield dose, end, tuple(inside), late, tuple([p for p in late if p.usable])


def decline_each(points: Iterable[Point], doses: Iterable[Dose]) -> list[tuple[Dose, tuple]]:
    """Each dose (or course) by day with its episode's decline points as split_episodes
    finds them, without the rest of the episode (its fits, peak and baseline)."""
    ordered = sorted(points, key=_DAY)
    return [(d, decline) for d, *_, decline in _each_dose(ordered, [p.day for p in ordered], doses)]


def split_episodes(points: Iterable[Point], doses: Iterable[Dose]) -> list[Episode]:
    """One episode per dose (or course), sorted by day; inputs may come in any order."""
    ordered = sorted(points, key=_DAY)
    days = [p.day for p in ordered]
    episodes = []
    for dose, end, inside, late, decline in _each_dose(ordered, days, doses):
        start = dose.start
        # The baseline: the latest point on or before the dose's day that may be one.
        baseline = None
        for j in range(bisect_right(days, start) - 1, -1, -1):
            p = ordered[j]
            if not p.excluded and not (p.day == start and p.after_infusion):
                baseline = p
                break
        candidates = [p for p in inside if p.comparator not in UPPER_BOUNDS and not p.excluded]
        # Both fits of the same points from one set of their numbers (fit_decline's checks).
        linear = loglinear = numbers = None
        if len(decline) >= 2 and len({p.day for p in decline}) >= 2:
            numbers = DeclineNumbers(decline, dose.day)
            linear, loglinear = numbers.fit("linear"), numbers.fit("loglinear")
        episodes.append(
            Episode(
                dose=dose,
                end=end,
                points=inside,
                baseline=baseline,
                peak=max(candidates, key=_VALUE) if candidates else None,
                decline_points=decline,
                linear=linear,
                loglinear=loglinear,
                no_fit_reason=None if linear else _no_fit_reason(inside, late),
                numbers=numbers,
            )
        )
    return episodes


@dataclass(frozen=True)
class Reading:
    """What the latest result allows: the one rule for censored latest results."""

    state: str  # "below" | "above" (exact, may be projected) | "bound" | "none"
    point: Point | None
    words: str


def latest_state(points: Iterable[Point], threshold: float) -> tuple[str, Point | None]:
    """latest_reading's state and point, without its words."""
    usable = [p for p in points if not p.excluded]
    if not usable:
        return "none", None
    latest = max(usable, key=_DAY)
    if latest.is_below(threshold):
        return "below", latest
    return ("above" if latest.is_exact else "bound"), latest


def latest_reading(points: Iterable[Point], threshold: float) -> Reading:
    """The latest result not left out: below the threshold (exact, or a '<' bound at or
    under it), above it (exact: a projection may start here), or a bound that says
    neither ('>1500', '<500' over the threshold: no projection until an exact result)."""
    points = list(points)
    state, latest = latest_state(points, threshold)
    if state == "none":
        return Reading("none", None, "no ferritin result in this episode yet")
    # A later result left out of the fits is the latest shown: this one is named apart.
    later = any(p.excluded and p.day > latest.day for p in points)
    which = f"the latest result {'in the fits ' if later else ''}({_day(latest.day)})"
    if state == "below":
        return Reading("below", latest, f"{which} is below "
                       f"the threshold of {_fmt(threshold)} µg/L")  # fmt: skip
    if state == "above":
        return Reading("above", latest, f"{which} is above")
    bound = "at least" if latest.comparator in LOWER_BOUNDS else "at most"
    return Reading(
        "bound",
        latest,
        f"{which} is given only as {bound} "
        f"{_fmt(latest.value)} µg/L, so no estimate until an exact result",
    )


def below_since(points: Iterable[Point], threshold: float) -> date | None:
    """The first day of the latest unbroken run of results below the threshold.

    Give it one episode's points so that it restarts at each infusion.
    """
    since = None
    for point in sorted([p for p in points if not p.excluded], key=_DAY, reverse=True):
        if not point.is_below(threshold):
            break
        since = point.day
    return since


def observed_crossing(episode: Episode, threshold: float) -> Point | None:
    """The first result after the peak (or the spike) known to be below the threshold."""
    start = episode.peak.day if episode.peak else episode.dose.day
    for p in episode.points:
        if p.day >= start and not p.excluded and p.is_below(threshold):
            return p
    return None


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if abs(value) < 100 else f"{value:.0f}"


def symptoms_returned(
    episode: Episode, scores: Iterable[tuple[date, int]], level: int = SYMPTOM_RETURN_LEVEL
) -> date | None:
    """The first score at or above `level` after scores had fallen below it in this episode."""
    improved = False
    start, end = episode.dose.day, episode.end
    for day, severity in sorted(scores):
        if day < start or (end is not None and day >= end):
            continue
        if severity < level:
            improved = True
        elif improved:
            return day
    return None
