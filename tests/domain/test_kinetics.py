"""The decline model, against fixtures worked out by hand (numbers in the comments)."""

import math
import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlsapp.domain.kinetics import (
    SPIKE_WEEKS,
    Dose,
    Point,
    fit_decline,
    observed_crossing,
    predict_crossing,
    split_episodes,
    symptoms_returned,
)

ORIGIN = date(2024, 1, 1)
FCM = Dose(ORIGIN, 1000, "FCM 1000 mg")


def week(n, value, comparator=""):
    return Point(ORIGIN + timedelta(weeks=n), value, comparator)


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

    prediction = predict_crossing(episode, 100)
    assert prediction.crossing == date(2024, 12, 16)
    assert prediction.method == "linear"
    assert prediction.decline_per_week == pytest.approx(6.6)
    assert prediction.n_points == 4
    assert not prediction.is_population_default
    assert prediction.explanation == "linear fit of 4 results, 6.6 µg/L per week"


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

    prediction = predict_crossing(episode, 50, method="loglinear")
    assert prediction.method == "loglinear"
    assert prediction.crossing == ORIGIN + timedelta(weeks=34)
    # falling ln2/10 per week of 100 µg/L at the latest result
    assert prediction.decline_per_week == pytest.approx(100 * math.log(2) / 10)
    assert prediction.explanation == "log-linear fit of 3 results, half-life 10 weeks"


def test_a_single_point_gives_no_fit_and_says_why():
    [episode] = split_episodes([week(2, 500.0), week(9, 166.0)], [FCM])

    assert episode.linear is None and episode.loglinear is None
    assert episode.no_fit_reason == "only 1 exact result 4+ weeks after the infusion"
    prediction = predict_crossing(episode, 100)
    assert prediction.crossing is None
    assert prediction.method == "none"
    assert "only 1 exact result" in prediction.explanation


def test_thin_data_use_the_population_slope_labelled_as_such():
    # 166 µg/L at week 9 falling 6.6 per week: 66 / 6.6 = 10 weeks later.
    [episode] = split_episodes([week(2, 500.0), week(9, 166.0)], [FCM])

    prediction = predict_crossing(episode, 100, population_slope=6.6)

    assert prediction.crossing == ORIGIN + timedelta(weeks=19)
    assert prediction.method == "population"
    assert prediction.is_population_default
    assert prediction.decline_per_week == 6.6
    assert prediction.start == week(9, 166.0)
    assert prediction.explanation.startswith("population default of 6.6 µg/L per week")


def test_an_infusion_with_no_later_draw_has_a_baseline_and_nothing_else():
    [episode] = split_episodes([Point(date(2023, 11, 1), 25.0)], [FCM])

    assert episode.points == ()
    assert episode.baseline == Point(date(2023, 11, 1), 25.0)
    assert episode.peak is None
    assert episode.no_fit_reason == "no ferritin result since the infusion yet"
    prediction = predict_crossing(
        episode, 100, population_slope=6.6, latest=Point(date(2023, 11, 1), 25.0)
    )
    # The pre-infusion result says nothing about after the infusion.
    assert prediction.method == "none"
    assert prediction.crossing is None


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

    prediction = predict_crossing(episode, 100)

    assert prediction.method == "below"
    assert prediction.crossing is None
    assert observed_crossing(episode, 100) == week(30, 50.0, "<")


def test_a_rising_fit_predicts_no_crossing():
    [episode] = split_episodes([week(5, 200.0), week(10, 220.0)], [FCM])

    prediction = predict_crossing(episode, 100, population_slope=6.6)

    assert prediction.method == "none"
    assert prediction.crossing is None
    assert "not falling" in prediction.explanation
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
        prediction = predict_crossing(
            episode, threshold, population_slope=population, method=method
        )
        assert prediction.method in ("linear", "loglinear", "population", "below", "none")
        assert prediction.explanation
        observed_crossing(episode, threshold)
        symptoms_returned(episode, [(p.day, int(p.value) % 11) for p in points])
        for fit in (episode.linear, episode.loglinear):
            if fit is not None:
                fit.crossing(threshold)
                fit.half_life_weeks  # noqa: B018
                assert 0.0 <= fit.r_squared <= 1.0
