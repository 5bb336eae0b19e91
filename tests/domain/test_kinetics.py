"""The decline model, against fixtures worked out by hand (numbers in the comments)."""

import math
import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlsapp.domain import estimate as E
from rlsapp.domain import kinetics
from rlsapp.domain.kinetics import (
    SPIKE_WEEKS,
    Dose,
    Point,
    fit_decline,
    observed_crossing,
    split_episodes,
    symptoms_returned,
)

ORIGIN = date(2024, 1, 1)
FCM = Dose(ORIGIN, 1000, "FCM 1000 mg")


def week(n, value, comparator="", **kw):
    return Point(ORIGIN + timedelta(weeks=n), value, comparator, **kw)


# 430 µg/L at the infusion, falling exactly 6.6 µg/L per week after the spike, so
# it reaches 100 µg/L at (430 - 100) / 6.6 = 50 weeks = 350 days: 16 Dec 2024.
EARLEY = [
    Point(date(2023, 12, 15), 40.0),  # baseline
    week(2, 610.0),  # spike, left out of the fit
    week(4, 403.6),
    week(8, 377.2),
    week(12, 350.8),
    week(16, 324.4),
]


def test_an_episode_falling_6_6_per_week_gives_that_slope_and_crossing_day():
    [episode] = split_episodes(EARLEY, [FCM])

    assert episode.linear.slope_per_week == pytest.approx(-6.6)
    assert episode.linear.decline_per_week == pytest.approx(6.6)
    assert episode.linear.intercept == pytest.approx(430.0)
    assert episode.linear.r_squared == pytest.approx(1.0)
    assert episode.linear.n_points == 4
    assert episode.linear.crossing(100) == date(2024, 12, 16)

    estimate = E.estimate(episode, 100)
    assert estimate.crossing == estimate.early == estimate.late == date(2024, 12, 16)
    assert estimate.model == "linear"
    assert estimate.decline_per_week == pytest.approx(6.6)
    assert estimate.n_points == 4
    assert not estimate.is_population_only
    assert estimate.explanation == "Linear fit of this episode's 4 results."


def test_the_episode_keeps_baseline_peak_and_only_late_points_for_the_fit():
    [episode] = split_episodes(EARLEY, [FCM])

    assert episode.baseline == Point(date(2023, 12, 15), 40.0)
    assert episode.peak == week(2, 610.0)
    assert episode.decline_points == tuple(EARLEY[2:])
    assert episode.points == tuple(EARLEY[1:])
    assert episode.end is None and episode.is_current
    assert episode.no_fit_reason is None


def test_noisy_data_give_the_least_squares_line_and_its_r_squared():
    # x = 4, 8, 12, 16; y = 300, 290, 260, 250. Mean x 10, mean y 275; Sxx = 80,
    # Sxy = -360, so slope -4.5, intercept 320. Residuals -2, 6, -6, 2: SSres 80,
    # SStot 1700, R² = 1620/1700. Crossing 100 at 220/4.5 weeks = 342.2 days -> day 343.
    points = [week(4, 300.0), week(8, 290.0), week(12, 260.0), week(16, 250.0)]
    [episode] = split_episodes(points, [FCM])

    assert episode.linear.slope_per_week == pytest.approx(-4.5)
    assert episode.linear.intercept == pytest.approx(320.0)
    assert episode.linear.r_squared == pytest.approx(1620 / 1700)
    assert episode.linear.crossing(100) == ORIGIN + timedelta(days=343)
    assert episode.linear.value_at(ORIGIN + timedelta(weeks=10)) == pytest.approx(275.0)


def test_a_log_linear_fit_gives_the_half_life():
    # Halving every 10 weeks: 400 -> 200 -> 100; 50 µg/L is reached at week 34.
    points = [week(4, 400.0), week(14, 200.0), week(24, 100.0)]
    [episode] = split_episodes(points, [FCM])

    assert episode.loglinear.half_life_weeks == pytest.approx(10.0)
    assert episode.loglinear.r_squared == pytest.approx(1.0)
    assert episode.loglinear.value_at(ORIGIN) == pytest.approx(400 * 2**0.4)
    assert episode.loglinear.crossing(50) == ORIGIN + timedelta(weeks=34)
    assert episode.linear.half_life_weeks is None
    with pytest.raises(ValueError):
        episode.loglinear.decline_per_week  # noqa: B018

    # Three results: the combined estimate, here with no prior, is the same line.
    estimate = E.estimate(episode, 50)
    assert estimate.model == "pooled"
    # Its median is where the line reaches 50 (week 34), to a day of numerical integration.
    assert abs((estimate.crossing - (ORIGIN + timedelta(weeks=34))).days) <= 1
    assert estimate.early < estimate.crossing < estimate.late
    # falling ln2/10 per week of 100 µg/L at the latest result
    assert estimate.decline_per_week == pytest.approx(100 * math.log(2) / 10)
    assert estimate.half_life_weeks == pytest.approx(10.0)


def test_a_single_point_gives_no_fit_and_says_why():
    [episode] = split_episodes([week(2, 500.0), week(9, 166.0)], [FCM])

    assert episode.linear is None and episode.loglinear is None
    assert episode.no_fit_reason == "only 1 exact result 4+ weeks after the infusion"
    estimate = E.estimate(episode, 100)
    assert estimate.crossing is None
    assert estimate.status == E.NONE
    assert "population default is off" in estimate.explanation


def test_thin_data_use_the_population_slope_labelled_as_such():
    # 166 µg/L at week 9 falling 6.6 per week: 66 / 6.6 = 10 weeks later.
    [episode] = split_episodes([week(2, 500.0), week(9, 166.0)], [FCM])

    estimate = E.estimate(episode, 100, population_slope=6.6)

    assert estimate.status == E.ESTIMATE
    assert estimate.is_population_only
    assert estimate.decline_per_week == pytest.approx(6.6)
    assert estimate.start == week(9, 166.0)
    assert "the population default of 6.6 µg/L per week" in estimate.explanation


def test_an_infusion_with_no_later_draw_has_a_baseline_and_nothing_else():
    [episode] = split_episodes([Point(date(2023, 11, 1), 25.0)], [FCM])

    assert episode.points == ()
    assert episode.baseline == Point(date(2023, 11, 1), 25.0)
    assert episode.peak is None
    assert episode.no_fit_reason == "no ferritin result since the infusion yet"
    estimate = E.estimate(episode, 100, population_slope=6.6)
    # The pre-infusion result says nothing about after the infusion.
    assert estimate.status == E.NONE
    assert estimate.crossing is None


def test_only_spike_results_are_not_enough():
    [episode] = split_episodes([week(1, 700.0), week(3, 650.0)], [FCM])

    assert (
        episode.no_fit_reason == f"no ferritin result {SPIKE_WEEKS}+ weeks after the infusion yet"
    )


def test_two_infusions_close_together_split_at_the_second():
    second = Dose(ORIGIN + timedelta(weeks=5), 500, "Iron sucrose 500 mg")
    points = [
        Point(date(2023, 12, 1), 30.0),
        week(2, 420.0),
        week(4.5, 300.0),  # in the first episode, 4.5 weeks after it
        week(7, 520.0),  # 2 weeks after the second: spike
        week(10, 400.0),
        week(14, 380.0),
    ]
    first, current = split_episodes(points, [second, FCM])

    assert first.end == second.day
    assert first.points == (week(2, 420.0), week(4.5, 300.0))
    assert first.linear is None
    assert first.no_fit_reason == "only 1 exact result 4+ weeks after the infusion"
    assert current.baseline == week(4.5, 300.0)
    assert current.peak == week(7, 520.0)
    assert current.decline_points == (week(10, 400.0), week(14, 380.0))
    # 20 µg/L over 4 weeks: 5 per week
    assert current.linear.decline_per_week == pytest.approx(5.0)
    assert current.linear.origin == second.day


def test_unsorted_input_gives_the_same_episodes():
    second = Dose(date(2024, 9, 1), 1000, "FCM 1000 mg")
    points = EARLEY + [Point(date(2024, 10, 20), 280.0), Point(date(2024, 12, 1), 250.0)]
    shuffled = points[:]
    random.Random(3).shuffle(shuffled)

    assert split_episodes(shuffled, [second, FCM]) == split_episodes(points, [FCM, second])


def test_bounds_like_less_than_5_are_never_fitted_as_exact():
    points = [week(5, 200.0), week(9, 5.0, "<"), week(12, 1500.0, ">")]
    [episode] = split_episodes(points, [FCM])

    assert episode.linear is None
    assert episode.decline_points == (week(5, 200.0),)
    assert episode.no_fit_reason == (
        "only 1 exact result 4+ weeks after the infusion "
        "(2 results given as a bound like '<5' left out)"
    )
    # '>1500' is at least 1500, so it is the peak; '<5' can never be.
    assert episode.peak == week(12, 1500.0, ">")


def test_a_less_than_result_under_the_threshold_counts_as_below():
    [episode] = split_episodes([week(5, 200.0), week(30, 50.0, "<")], [FCM])

    estimate = E.estimate(episode, 100)

    assert estimate.status == E.BELOW
    assert estimate.crossing is None
    assert observed_crossing(episode, 100) == week(30, 50.0, "<")


def test_a_rising_fit_predicts_no_crossing():
    [episode] = split_episodes([week(5, 200.0), week(10, 220.0)], [FCM])

    estimate = E.estimate(episode, 100)

    assert estimate.status == E.NO_DECLINE
    assert estimate.crossing is None
    assert estimate.explanation.startswith("No clear decline yet")
    # A 10 % rise is within the assumed 15 % scatter: the population prior still says falls.
    assert E.estimate(episode, 100, population_slope=6.6).status == E.ESTIMATE
    assert episode.linear.crossing(100) is None


def test_the_observed_crossing_is_the_first_result_below_after_the_peak():
    points = [week(1, 90.0), week(3, 500.0), week(20, 150.0), week(30, 95.0), week(34, 80.0)]
    [episode] = split_episodes(points, [FCM])

    assert observed_crossing(episode, 100) == week(30, 95.0)


def test_symptoms_return_when_scores_climb_back_after_improving():
    [episode] = split_episodes(EARLEY, [FCM])
    scores = [
        (ORIGIN - timedelta(days=3), 8),  # before the infusion: not this episode
        (ORIGIN + timedelta(weeks=2), 6),
        (ORIGIN + timedelta(weeks=6), 2),
        (ORIGIN + timedelta(weeks=20), 5),
        (ORIGIN + timedelta(weeks=22), 7),
    ]

    assert symptoms_returned(episode, scores) == ORIGIN + timedelta(weeks=20)
    assert symptoms_returned(episode, scores[:3]) is None


# Property tests: modest example counts keep the suite fast.

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
points = st.builds(
    Point,
    day=days,
    value=st.floats(min_value=0.5, max_value=10000, allow_nan=False),
    comparator=st.sampled_from(["", "", "", "<", "<=", ">", ">="]),
)
doses = st.builds(Dose, day=days, dose_mg=st.integers(10, 3000), label=st.text(max_size=10))


@settings(max_examples=60, deadline=None)
@given(
    slope=st.floats(min_value=-20, max_value=20).filter(lambda s: abs(s) > 0.01),
    intercept=st.floats(min_value=100, max_value=2000),
    offsets=st.lists(st.integers(28, 400), min_size=2, max_size=12, unique=True),
)
def test_the_fit_of_exact_line_data_is_that_line(slope, intercept, offsets):
    line = [Point(ORIGIN + timedelta(days=d), intercept + slope * d / 7) for d in offsets]
    line = [p for p in line if p.value > 0]
    if len(line) < 2:
        return
    fit = fit_decline(line, ORIGIN)

    assert fit.slope_per_week == pytest.approx(slope, rel=1e-6, abs=1e-6)
    assert fit.intercept == pytest.approx(intercept, rel=1e-6, abs=1e-6)
    assert fit.r_squared == pytest.approx(1.0, abs=1e-6)
    assert fit.n_points == len(line)


@settings(max_examples=80, deadline=None)
@given(
    points=st.lists(points, max_size=25),
    doses=st.lists(doses, max_size=5),
    threshold=st.floats(min_value=10, max_value=1000),
    population=st.none() | st.floats(min_value=0.1, max_value=50),
    method=st.sampled_from(["linear", "loglinear"]),
)
def test_nothing_raises_on_any_valid_history(points, doses, threshold, population, method):
    episodes = split_episodes(points, doses)

    assert len(episodes) == len(doses)
    for episode in episodes:
        assert (episode.linear is None) == (episode.no_fit_reason is not None)
        assert all(p.is_exact for p in episode.decline_points)
        estimate = E.estimate(episode, threshold, population_slope=population)
        assert estimate.status in (E.ESTIMATE, E.BELOW, E.NO_DECLINE, E.NONE, E.BOUND, E.AFTER_END)
        assert estimate.explanation
        observed_crossing(episode, threshold)
        symptoms_returned(episode, [(p.day, int(p.value) % 11) for p in points])
        for fit in (episode.linear, episode.loglinear):
            if fit is not None:
                fit.crossing(threshold)
                fit.half_life_weeks  # noqa: B018
                assert 0.0 <= fit.r_squared <= 1.0


# Edge rules (issue 12).


def test_a_draw_on_the_infusion_day_is_the_baseline_unless_marked_after():
    second = Dose(ORIGIN + timedelta(weeks=30), 1000)
    same_day = Point(second.day, 90.0)
    points = [week(6, 300.0), week(20, 150.0), same_day, week(36, 400.0)]
    first, current = split_episodes(points, [FCM, second])

    assert same_day in first.points
    assert current.baseline == same_day
    assert current.peak == week(36, 400.0)
    assert observed_crossing(first, 100) == same_day

    after = Point(second.day, 900.0, after_infusion=True)
    first, current = split_episodes([*points[:2], after, points[3]], [FCM, second])
    assert after not in first.points
    assert current.points[0] == after
    assert current.baseline == week(20, 150.0)


def test_a_left_out_draw_stays_in_the_points_but_not_in_any_fit():
    odd = week(12, 900.0, excluded=True)
    [episode] = split_episodes([week(4, 400.0), week(8, 380.0), odd, week(16, 340.0)], [FCM])

    assert odd in episode.points
    assert odd not in episode.decline_points
    assert episode.peak == week(4, 400.0)
    assert episode.linear.slope_per_week == pytest.approx(-5.0)
    assert kinetics.latest_reading([week(8, 50.0), week(9, 300.0, excluded=True)], 100).state == (
        "below"
    )


def test_a_split_dose_course_is_one_episode_from_its_last_dose_with_the_total():
    doses = [
        Dose(ORIGIN, 750, "FCM 750 mg"),
        Dose(ORIGIN + timedelta(days=7), 750, "FCM 750 mg"),
        Dose(ORIGIN + timedelta(weeks=40), 510, "Ferumoxytol 510 mg"),
        Dose(ORIGIN + timedelta(weeks=40, days=8), 510, "Ferumoxytol 510 mg"),
        Dose(ORIGIN + timedelta(weeks=70), 1000, "FCM 1000 mg"),
        Dose(ORIGIN + timedelta(weeks=72, days=1), 1000, "FCM 1000 mg"),  # 15 days: new course
    ]
    courses = kinetics.group_courses(doses)

    assert [(c.start, c.day, c.dose_mg, c.count) for c in courses] == [
        (ORIGIN, ORIGIN + timedelta(days=7), 1500, 2),
        (ORIGIN + timedelta(weeks=40), ORIGIN + timedelta(weeks=40, days=8), 1020, 2),
        (ORIGIN + timedelta(weeks=70), ORIGIN + timedelta(weeks=70), 1000, 1),
        (ORIGIN + timedelta(weeks=72, days=1), ORIGIN + timedelta(weeks=72, days=1), 1000, 1),
    ]
    assert courses[0].label == "FCM 750 mg + FCM 750 mg"
    assert len(kinetics.group_courses(doses, course_days=6)) == 6
    # A draw between the two doses belongs to the course, the baseline is before it.
    between = Point(ORIGIN + timedelta(days=3), 500.0)
    [episode, *_] = split_episodes([Point(ORIGIN, 30.0), between], courses)
    assert episode.baseline == Point(ORIGIN, 30.0)
    assert episode.points == (between,)


def test_a_lab_change_between_episodes_is_named():
    assert kinetics.lab_change(["Beckman"], ["Roche", "Roche"]) == (
        "Lab changed from Beckman to Roche: assays differ, so a jump between these episodes "
        "may come from the lab, not from the body."
    )
    assert kinetics.lab_change(["Roche"], ["Roche"]) == ""
    assert kinetics.lab_change([""], ["Roche"]) == ""
    [episode] = split_episodes([week(5, 300.0, lab="Roche"), week(9, 280.0, lab="Roche")], [FCM])
    assert episode.labs == ("Roche",)


def test_half_life_and_r_squared_only_where_they_mean_something():
    flat = fit_decline([week(4, 200.0), week(8, 200.0), week(12, 200.0)], ORIGIN, "loglinear")
    assert flat.r_squared == 1.0 and flat.shown_r_squared is None
    assert flat.shown_half_life_weeks is None
    # Nearly flat and noisy: the slope is negative, but its range includes no fall.
    noisy = [week(4, 200.0), week(8, 210.0), week(12, 190.0), week(16, 199.9)]
    fit = fit_decline(noisy, ORIGIN, "loglinear")
    assert fit.half_life_weeks > 250 and fit.shown_half_life_weeks is None
    assert fit.shown_r_squared == pytest.approx(fit.r_squared)
    two = fit_decline([week(4, 400.0), week(14, 200.0)], ORIGIN, "loglinear")
    assert two.shown_r_squared is None and two.shown_half_life_weeks is None
    three = fit_decline([week(4, 400.0), week(14, 200.0), week(24, 100.0)], ORIGIN, "loglinear")
    assert three.shown_half_life_weeks == pytest.approx(10.0)
    assert three.shown_r_squared == pytest.approx(1.0)


def test_fits_match_numpy_where_installed():
    np = pytest.importorskip("numpy")
    points = [week(4, 300.0), week(8, 290.0), week(12, 260.0), week(16, 250.0)]
    for kind, ys in (("linear", [300, 290, 260, 250]), ("loglinear", np.log([300, 290, 260, 250]))):
        slope, intercept = np.polyfit([4, 8, 12, 16], ys, 1)
        fit = fit_decline(points, ORIGIN, kind)
        assert fit.slope_per_week == pytest.approx(slope)
        assert fit.intercept == pytest.approx(intercept)


def test_the_latest_reading_names_the_latest_in_the_fits_apart_from_a_later_left_out_one():
    """80 then 300 left out (illness): 'the latest result' would be read as the 300."""
    in_fits = week(8, 80.0)
    words = kinetics.latest_reading([in_fits, week(9, 300.0, excluded=True)], 100).words
    assert words.startswith(f"the latest result in the fits ({kinetics._day(in_fits.day)}) ")
    alone = kinetics.latest_reading([week(8, 80.0)], 100).words
    assert alone.startswith("the latest result (")
