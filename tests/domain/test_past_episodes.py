"""The chart's stored past estimates rest on what their digest covers, and on nothing else:
a result after the latest course changes neither the digest nor any past estimate, and any
change to what they rest on changes the digest."""

import dataclasses
from datetime import date, timedelta
from itertools import accumulate

from hypothesis import given, settings
from hypothesis import strategies as st

from rlsapp.domain import estimate as E
from rlsapp.domain import kinetics, past_episodes
from rlsapp.domain.kinetics import Dose, Point

ORIGIN = date(2020, 1, 6)
THRESHOLD, SLOPE, SPREAD = 100, E.EARLEY_SLOPE, E.POPULATION_SPREAD


def _history(gaps, results):
    """Points from (day, value, comparator) and a course on day 0 and after each gap."""
    courses = [Dose(ORIGIN + timedelta(days=d), 1000) for d in accumulate([0, *gaps])]
    return [Point(ORIGIN + timedelta(days=d), v, c) for d, v, c in results], courses


def _digest(points, courses, threshold=THRESHOLD, slope=SLOPE, spread=SPREAD):
    return past_episodes.digest(points, courses, threshold, slope, spread)


def _work_out(points, courses):
    episodes = kinetics.split_episodes(points, courses)
    return past_episodes.work_out(episodes, THRESHOLD, SLOPE, SPREAD)


HISTORIES = dict(
    gaps=st.lists(st.integers(30, 400), min_size=1, max_size=5),
    results=st.lists(
        st.tuples(st.integers(-30, 1800), st.floats(20, 1500), st.sampled_from(["", "", "<"])),
        max_size=30,
    ),
)


@settings(max_examples=60, deadline=None)
@given(**HISTORIES, later=st.tuples(st.integers(1, 400), st.floats(5, 1500)))
def test_a_result_after_the_latest_course_changes_no_past_estimate(gaps, results, later):
    points, courses = _history(gaps, results)
    last_start = max(c.start for c in courses)
    more = [*points, Point(last_start + timedelta(days=later[0]), later[1])]
    assert _digest(more, courses) == _digest(points, courses)
    assert _work_out(more, courses) == _work_out(points, courses)


@settings(max_examples=60, deadline=None)
@given(**HISTORIES, pick=st.integers(0, 10_000), to=st.floats(5, 1500))
def test_a_changed_result_up_to_the_latest_course_changes_the_digest(gaps, results, pick, to):
    points, courses = _history(gaps, results)
    last_start = max(c.start for c in courses)
    before = [i for i, p in enumerate(points) if p.day <= last_start]
    if not before:
        return
    i = before[pick % len(before)]
    if points[i].value == to:
        return
    changed = [*points]
    changed[i] = dataclasses.replace(points[i], value=to)
    assert _digest(changed, courses) != _digest(points, courses)
    left_out = [*points]
    left_out[i] = dataclasses.replace(points[i], excluded=True)
    assert _digest(left_out, courses) != _digest(points, courses)
    assert _digest(points[:i] + points[i + 1 :], courses) != _digest(points, courses)


def test_the_digest_reads_results_in_any_order_and_every_setting():
    points, courses = _history([120, 200], [(20, 600, ""), (60, 400, ""), (150, 500, "")])
    digest = _digest(points, courses)
    assert _digest(points[::-1], list(reversed(courses))) == digest
    assert _digest(points, courses, threshold=75) != digest
    assert _digest(points, courses, slope=None) != digest
    assert _digest(points, courses, spread=0.4) != digest
    assert _digest(points, courses[:-1]) != digest
    split = [*courses[:-1], dataclasses.replace(courses[-1], first_day=courses[-2].day)]
    assert _digest(points, split) != digest
    assert _digest(points, []) == ""


def test_two_results_of_one_day_swapped_change_the_digest():
    # An estimate starts from the last result split_episodes keeps of a day (the chart and
    # the scheduler give a day's results by draw): swapped, they are another history.
    points, courses = _history([365], [(60, 500, ""), (91, 300, ""), (91, 150, "")])
    swapped = [points[0], points[2], points[1]]
    assert _work_out(swapped, courses) != _work_out(points, courses)
    assert _digest(swapped, courses) != _digest(points, courses)


def test_stored_summaries_read_back_as_written():
    points, courses = _history(
        [500, 200], [(-10, 40, ""), (30, 600, ""), (90, 420, ""), (150, 300, ""), (510, 500, "")]
    )
    summaries = _work_out(points, courses)
    assert summaries, "a past episode never seen below the threshold has its estimate"
    read = past_episodes.from_data(past_episodes.as_data(summaries))
    assert {day.isoformat(): s for day, s in read.items()} == summaries
    [first] = [s for day, s in read.items() if day == ORIGIN]
    assert first.has_date and first.crossing > ORIGIN + timedelta(days=150)


def test_a_setting_read_back_from_the_database_is_the_same_setting():
    # Saved as 100, a threshold reads back as Decimal('100') or 100.0: the digest must not
    # tell them apart, or every save stores the estimates again.
    from decimal import Decimal

    points, courses = _history([120], [(20, 600, ""), (60, 400, "")])
    assert len({_digest(points, courses, threshold=t) for t in (100, 100.0, Decimal(100))}) == 1
    assert _digest(points, courses, slope=Decimal("6.6")) == _digest(points, courses, slope=6.6)


def test_estimates_stored_by_other_code_are_not_taken(monkeypatch):
    # The digest holds a fingerprint of the code that works estimates out: after an upgrade
    # that changed it, no stored estimate fits, and the chart works them out again.
    points, courses = _history([120], [(20, 600, ""), (60, 400, "")])
    before = _digest(points, courses)
    monkeypatch.setattr(past_episodes, "RULES", "other code")
    assert _digest(points, courses) != before
