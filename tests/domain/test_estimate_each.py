"""estimate_each gives, for every episode of a history, exactly what estimate() gives it
with the episodes before it as its history (the chart makes one estimate per infusion)."""

import dataclasses
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from rlsapp.domain import estimate as E
from rlsapp.domain import kinetics
from rlsapp.domain.kinetics import Dose, Point

ORIGIN = date(2020, 1, 6)


@settings(max_examples=60, deadline=None)
@given(
    gaps=st.lists(st.integers(20, 400), min_size=1, max_size=6),
    results=st.lists(
        st.tuples(st.integers(0, 2400), st.floats(20, 1500), st.sampled_from(["", "", "<"])),
        max_size=40,
    ),
    threshold=st.sampled_from([50, 75, 100]),
    population=st.none() | st.floats(0.5, 20),
)
def test_each_episode_gets_what_estimate_gives_it(gaps, results, threshold, population):
    days = [0]
    for gap in gaps:
        days.append(days[-1] + gap)
    doses = [Dose(ORIGIN + timedelta(days=d), 1000) for d in days]
    points = [Point(ORIGIN + timedelta(days=d), v, c) for d, v, c in results]
    episodes = kinetics.split_episodes(points, doses)

    def wanted(episode):
        return episode.is_current or kinetics.observed_crossing(episode, threshold) is None

    each = E.estimate_each(episodes, threshold, wanted, population_slope=population)

    expected = [
        E.estimate(episode, threshold, history=episodes[:i], population_slope=population)
        if wanted(episode)
        else None
        for i, episode in enumerate(episodes)
    ]
    assert each == expected
    # The decline numbers split_episodes keeps on each episode (domain/fits) change nothing:
    # the same estimates from episodes without them, worked out afresh.
    bare = [dataclasses.replace(e, numbers=None) for e in episodes]
    assert expected == [
        E.estimate(episode, threshold, history=bare[:i], population_slope=population)
        if wanted(episode)
        else None
        for i, episode in enumerate(bare)
    ]


@settings(max_examples=80, deadline=None)
@given(
    gaps=st.lists(st.integers(1, 400), min_size=1, max_size=6),
    results=st.lists(
        st.tuples(
            st.integers(-30, 2400),
            st.floats(20, 1500),
            st.sampled_from(["", "", "", "<", ">"]),
            st.booleans(),  # taken after the infusion that day
            st.sampled_from([False, False, False, True]),  # left out
        ),
        max_size=40,
    ),
    threshold=st.sampled_from([50, 75, 100]),
    population=st.none() | st.floats(0.5, 20),
    course_days=st.sampled_from([0, 14]),
)
def test_estimate_last_is_estimate_of_the_last_episode_with_the_others_as_history(
    gaps, results, threshold, population, course_days
):
    days = [0]
    for gap in gaps:
        days.append(days[-1] + gap)
    infusions = [Dose(ORIGIN + timedelta(days=d), 500) for d in days]
    doses = kinetics.group_courses(infusions, course_days)
    points = [
        Point(ORIGIN + timedelta(days=d), v, c, after_infusion=a, excluded=x)
        for d, v, c, a, x in results
    ]
    episodes = kinetics.split_episodes(points, doses)
    expected = E.estimate(
        episodes[-1], threshold, history=episodes[:-1], population_slope=population
    )
    assert E.estimate_last(points, doses, threshold, population_slope=population) == expected


@settings(max_examples=80, deadline=None)
@given(
    episodes=st.lists(
        st.tuples(
            st.integers(60, 300),  # days to the next infusion
            st.floats(200, 900),  # the first result's value
            st.floats(0.005, 0.08),  # fractional fall per day
            st.lists(st.integers(14, 59), min_size=0, max_size=4, unique=True),  # result days
        ),
        min_size=2,
        max_size=5,
    ),
    last=st.floats(20, 600),  # the latest result, below or above the threshold
    threshold=st.sampled_from([50, 100, 150]),
    population=st.none() | st.floats(0.5, 20),
)
def test_estimate_last_with_declining_earlier_episodes_is_the_full_estimate(
    episodes, last, threshold, population
):
    """Earlier episodes whose results fall, so that their rates count, and a latest
    result on either side of the threshold (below it, no rate is read at all)."""
    doses, points, day = [], [], 0
    for gap, start, fall, result_days in episodes:
        doses.append(Dose(ORIGIN + timedelta(days=day), 1000))
        for offset in sorted(result_days):
            value = start * (1 - fall) ** (offset - 14)
            points.append(Point(ORIGIN + timedelta(days=day + offset), max(value, 1.0)))
        day += gap
    points.append(Point(ORIGIN + timedelta(days=day - 1), last))
    split = kinetics.split_episodes(points, doses)
    expected = E.estimate(split[-1], threshold, history=split[:-1], population_slope=population)
    assert E.estimate_last(points, doses, threshold, population_slope=population) == expected


def test_estimate_last_fits_nothing_when_the_latest_result_tells_it(monkeypatch):
    doses = [Dose(ORIGIN, 1000), Dose(ORIGIN + timedelta(days=200), 1000)]
    points = [
        Point(ORIGIN + timedelta(days=d), v)
        for d, v in ((40, 700), (90, 400), (150, 200), (240, 600), (290, 300))
    ]
    split = kinetics.split_episodes(points, doses)
    for latest, status in ((Point(ORIGIN + timedelta(days=330), 60), E.BELOW),
                           (Point(ORIGIN + timedelta(days=330), 1500, ">"), E.BOUND)):  # fmt: skip
        expected = E.estimate(
            kinetics.split_episodes([*points, latest], doses)[-1], 100, history=split[:-1]
        )
        assert expected.status == status
        with monkeypatch.context() as m:
            m.setattr(kinetics.DeclineNumbers, "__init__", lambda *a: 1 / 0)
            assert E.estimate_last([*points, latest], doses, 100) == expected
