"""The estimates the chart shows of a person's past episodes, and what they rest on (pure).

For each past episode in which ferritin was never seen below the threshold, the chart says
when the estimate puts the crossing (charts/data.py). Such an estimate depends only on the
results up to the latest course's first day, the courses and the settings: a result after
the latest infusion, the usual change, leaves every one of them as it was. Each is a search
over the trend's integrals (domain/trend.py), too much to repeat for every view of every
episode, so the re-check scheduler stores them (tracking/past_estimates.py) with a digest
of what they rest on, and the chart takes stored ones only when the digest of what it read
itself is the same. Stored estimates that are out of date (a writer that did not tell the
scheduler, a row from before an upgrade) are never shown: the chart works them out again.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from pathlib import Path

from rlsapp.domain import estimate as estimates
from rlsapp.domain import fits, kinetics, records, trend
from rlsapp.domain.kinetics import Dose, Episode, Point


def _rules_fingerprint() -> str:
    """The code that works the estimates out, as part of every digest: with any change to
    it (an upgrade), no estimate stored by the code before is taken for this code's, and
    nobody has to remember to say so (`manage.py recompute_reminders` stores them again)."""
    code = hashlib.blake2b(digest_size=16)
    for module in (estimates, fits, kinetics, records, trend, sys.modules[__name__]):
        code.update(Path(module.__file__).read_bytes())
    return code.hexdigest()


RULES = _rules_fingerprint()


@dataclass(frozen=True)
class Summary:
    """What the chart shows of a past episode's estimate: its model, and its dates when it
    gives them (estimate.Estimate has the same attributes)."""

    status: str
    model: str
    crossing: date | None
    early: date | None
    late: date | None
    is_population_only: bool

    @property
    def has_date(self) -> bool:
        return self.status == estimates.ESTIMATE and self.crossing is not None


def digest(
    points: Iterable[Point],
    courses: Sequence[Dose],
    threshold: float,
    population_slope: float | None,
    population_spread: float,
) -> str:
    """A digest of everything the past episodes' estimates rest on: the settings, every
    course (the latest one's first day ends the episode before it) and every result on or
    before the latest course's first day, as the fits read them. Results by day in any
    order, but those of one day in the order the fits read them (by draw, as the chart and
    the scheduler read them): split_episodes keeps it, and an estimate starts from the last
    of them, so two results of one day swapped are another history."""
    if not courses:
        return ""
    last_start = max(course.start for course in courses)
    kept = sorted(
        [
            (p.day.toordinal(), float(p.value), p.comparator, p.after_infusion, p.excluded)
            for p in points
            if p.day <= last_start
        ],
        key=itemgetter(0),  # stable: a day's results keep their order
    )
    doses = sorted(
        (c.start.toordinal(), c.day.toordinal(), int(c.dose_mg), c.count) for c in courses
    )
    # Numbers as floats: a setting read back from the database (a Decimal, a float) is the
    # same setting as the int it was saved from. repr writes every float exactly, and holds
    # no text that varies between processes.
    slope = None if population_slope is None else float(population_slope)
    numbers = (float(threshold), slope, float(population_spread))
    text = repr((RULES, numbers, doses, kept))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def shown(episode: Episode, crossing: Point | None) -> bool:
    """Whether the chart shows an estimate of the episode: the current one's, and a past
    one's only when ferritin was never seen below the threshold in it (then the estimate
    says when it would have been)."""
    return episode.is_current or crossing is None


def work_out(
    episodes: Sequence[Episode],
    threshold: float,
    population_slope: float | None,
    population_spread: float,
) -> dict[str, Summary]:
    """The past episodes' estimates the chart shows, by their course's first day (ISO)."""
    past = {
        id(e)
        for e in episodes
        if not e.is_current and shown(e, kinetics.observed_crossing(e, threshold))
    }
    each = estimates.estimate_each(
        episodes,
        threshold,
        lambda e: id(e) in past,
        population_slope=population_slope,
        population_spread=population_spread,
    )
    return {
        e.dose.start.isoformat(): summary(estimate)
        for e, estimate in zip(episodes, each, strict=True)
        if estimate is not None
    }


def summary(estimate: estimates.Estimate) -> Summary:
    return Summary(
        estimate.status,
        estimate.model,
        estimate.crossing,
        estimate.early,
        estimate.late,
        estimate.is_population_only,
    )


def as_data(summaries: dict[str, Summary]) -> dict[str, list]:
    """Summaries as JSON-ready lists (dates in ISO), for storing."""
    return {
        start: [
            s.status,
            s.model,
            *(day.isoformat() if day else None for day in (s.crossing, s.early, s.late)),
            s.is_population_only,
        ]
        for start, s in summaries.items()
    }


def from_data(data: dict[str, list]) -> dict[date, Summary]:
    """Stored summaries (as_data's) by their course's first day."""
    return {
        date.fromisoformat(start): Summary(
            status,
            model,
            *(date.fromisoformat(day) if day else None for day in (crossing, early, late)),
            population_only,
        )
        for start, (status, model, crossing, early, late, population_only) in data.items()
    }
