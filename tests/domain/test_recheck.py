from dataclasses import replace
from datetime import date, timedelta

import pytest

from rlsapp.domain import estimate as E
from rlsapp.domain import kinetics, recheck
from rlsapp.domain.kinetics import Point
from rlsapp.domain.recheck import InfusionRecord, Settings, next_recheck

DEFAULTS = Settings()
INFUSION = InfusionRecord(date(2025, 3, 3), "derisomaltose")


def window(early, central=None, late=None, explanation="Linear fit of this episode's 4 results."):
    """An estimate with the given window (central a month after early, late two)."""
    central = central or early + timedelta(days=30)
    late = late or early + timedelta(days=61)
    return E.Estimate(E.ESTIMATE, "linear", ("current",), explanation, central, early, late)


NO_DECLINE = E.Estimate(E.NO_DECLINE, "pooled", ("current", "population"), "No clear decline yet.")


FIRST_ON_28_APRIL = ("first", date(2025, 4, 28), "8 weeks after the infusion on 3 March")


def rule_case(name, expected, points=(), infusions=(INFUSION,), rules=DEFAULTS):
    """Settings and records (by default the infusion of 3 March alone), and the expected
    (kind, due, reason)."""
    return pytest.param(rules, list(points), list(infusions), expected, id=name)


RULE_CASES = [
    rule_case("nothing recorded", ("", None, ""), infusions=()),
    rule_case("first re-check after the infusion", FIRST_ON_28_APRIL),
    rule_case(
        "a result 6 weeks after the infusion satisfies it; routine follows",
        ("routine", date(2025, 7, 7), "12 weeks after the last ferritin result on 14 April"),
        [Point(date(2025, 4, 14), 450)],
    ),
    rule_case(
        "the minimum is a setting",
        ("routine", date(2025, 6, 23), "12 weeks after the last ferritin result on 31 March"),
        [Point(date(2025, 3, 31), 450)],
        rules=replace(DEFAULTS, first_recheck_min_weeks=4),
    ),
    rule_case(
        "a split-dose course counts from its last dose",
        FIRST_ON_28_APRIL,
        infusions=[
            InfusionRecord(date(2025, 2, 24), "fcm", 750),
            InfusionRecord(date(2025, 3, 3), "fcm", 750),
        ],
    ),
    rule_case(
        "without any infusion, routine from the latest ferritin",
        ("routine", date(2025, 4, 4), "12 weeks after the last ferritin result on 10 January"),
        [Point(date(2024, 10, 1), 150), Point(date(2025, 1, 10), 120)],
        infusions=(),
    ),
    rule_case(
        "the year is named when it differs from the due date's",
        ("first", date(2025, 1, 15), "8 weeks after the infusion on 20 November 2024"),
        infusions=[InfusionRecord(date(2024, 11, 20))],
    ),
    rule_case(
        "a shorter first interval is satisfied by a result on its due date",
        ("routine", date(2025, 4, 28), "6 weeks after the last ferritin result on 17 March"),
        [Point(date(2025, 3, 17), 600)],
        rules=replace(DEFAULTS, first_recheck_weeks=2, routine_recheck_weeks=6),
    ),
    rule_case(
        "the latest of several infusions counts",
        ("first", date(2025, 4, 14), "6 weeks after the infusion on 3 March"),
        [Point(date(2025, 1, 20), 300)],
        [InfusionRecord(date(2024, 12, 1)), INFUSION],
        rules=replace(DEFAULTS, first_recheck_weeks=6),
    ),
]


@pytest.mark.parametrize("rules,points,infusions,expected", RULE_CASES)
def test_it_picks_the_rule_from_the_settings(rules, points, infusions, expected):
    result = next_recheck(rules, points, infusions, predict=False)
    assert (result.kind, result.due, result.reason) == expected


@pytest.mark.parametrize(
    "point",
    [Point(date(2025, 3, 17), 600), Point(date(2025, 3, 31), 450)],
    ids=["in the spike weeks", "4 weeks after the infusion"],
)
def test_a_result_before_6_weeks_does_not_satisfy_the_first_recheck(point):
    result = next_recheck(DEFAULTS, [point], [INFUSION], predict=False)
    assert (result.kind, result.due, result.reason) == FIRST_ON_28_APRIL


LATEST = Point(date(2025, 6, 30), 160)
WITHIN = "(linear fit of this episode's 4 results)"
INFUSION_1_APRIL = InfusionRecord(date(2025, 4, 1))


def predicted(due, most_likely, between):
    """The expected (kind, due, reason) of a reminder set from the estimated window."""
    reason = (
        f"ferritin estimated to fall below 100 µg/L most likely in {most_likely}; "
        f"between {between} {WITHIN}"
    )
    return ("predicted", due, reason)


@pytest.mark.parametrize(
    "early,lead_days,due,most_likely,between",
    [
        ("2025-09-10", 14, "2025-08-27", "October 2025", "September and November 2025"),
        ("2025-09-10", 0, "2025-09-10", "October 2025", "September and November 2025"),
        ("2025-10-06", 14, "2025-09-22", "November 2025", "October and December 2025"),
    ],
    ids=[
        "an early window end before routine wins, lead time before it",
        "a lead time of zero reminds on the window's start",
        "on the same day the estimate is the reason shown",
    ],
)
def test_it_reminds_the_lead_time_before_the_estimated_window(
    early, lead_days, due, most_likely, between
):
    rules = replace(DEFAULTS, reminder_lead_days=lead_days)
    estimate = window(date.fromisoformat(early))
    result = next_recheck(rules, [LATEST], [INFUSION_1_APRIL], estimate=estimate)
    expected = predicted(date.fromisoformat(due), most_likely, between)
    assert (result.kind, result.due, result.reason) == expected


def test_a_window_starting_within_the_lead_time_reminds_on_its_start():
    estimate = window(date(2025, 7, 5), date(2025, 7, 20), date(2025, 7, 30))
    result = next_recheck(DEFAULTS, [LATEST], [INFUSION_1_APRIL], estimate=estimate)
    expected = predicted(date(2025, 7, 5), "July 2025", "5 and 30 July 2025")
    assert (result.kind, result.due, result.reason) == expected


@pytest.mark.parametrize(
    "estimate",
    [window(date(2025, 12, 1)), NO_DECLINE],
    ids=["a later window leaves routine first", "no clear decline: routine, no predicted reminder"],
)
def test_routine_comes_first_without_an_earlier_window(estimate):
    result = next_recheck(DEFAULTS, [LATEST], [INFUSION_1_APRIL], estimate=estimate)
    assert (result.kind, result.due, result.reason) == (
        "routine",
        date(2025, 9, 22),
        "12 weeks after the last ferritin result on 30 June",
    )


def test_no_clear_decline_says_so_and_keeps_the_routine_schedule():
    result = next_recheck(DEFAULTS, [LATEST], [INFUSION_1_APRIL], estimate=NO_DECLINE)
    assert [r.kind for r in result.rules] == ["routine"]
    assert "No clear decline yet, so the routine schedule applies." in result.notes


def test_it_lists_every_applicable_rule_earliest_first():
    result = next_recheck(
        DEFAULTS,
        [LATEST],
        [INFUSION_1_APRIL],
        estimate=window(date(2025, 9, 10)),
    )
    assert [(r.kind, r.due) for r in result.rules] == [
        ("predicted", date(2025, 8, 27)),
        ("routine", date(2025, 9, 22)),
    ]


BELOW_CASES = [
    # (id, points, threshold, expected below_since)
    ("never below", [Point(date(2025, 1, 1), 150)], 100, None),
    (
        "the current run of low results",
        [
            Point(date(2024, 6, 1), 80),
            Point(date(2024, 9, 1), 300),
            Point(date(2025, 2, 1), 95),
            Point(date(2025, 3, 1), 70),
        ],
        100,
        date(2025, 2, 1),
    ),
    (
        "back above the threshold",
        [Point(date(2025, 2, 1), 95), Point(date(2025, 3, 1), 101)],
        100,
        None,
    ),
    (
        "a '<' bound at the threshold counts",
        [Point(date(2025, 3, 1), 100, "<")],
        100,
        date(2025, 3, 1),
    ),
    ("a '>' bound never counts", [Point(date(2025, 3, 1), 50, ">")], 100, None),
    ("the threshold is the patient's", [Point(date(2025, 3, 1), 90)], 75, None),
]


@pytest.mark.parametrize(
    "points,threshold,since", [c[1:] for c in BELOW_CASES], ids=[c[0] for c in BELOW_CASES]
)
def test_it_says_since_when_ferritin_is_below_the_threshold(points, threshold, since):
    result = next_recheck(replace(DEFAULTS, threshold=threshold), points, [], predict=False)
    assert result.below_since == since
    below_notes = [n for n in result.notes if "below the threshold" in n]
    assert bool(below_notes) == (since is not None)


def test_the_below_note_names_the_threshold_and_the_day():
    points = [Point(date(2025, 2, 1), 95), Point(date(2025, 3, 1), 70)]
    result = next_recheck(DEFAULTS, points, [], predict=False)
    assert result.notes == (
        "Ferritin has been below the threshold of 100 µg/L since 1 February 2025.",
    )


def fcm(day, dose=1000):
    return InfusionRecord(day, "fcm", dose)


PHOSPHATE_CASES = [
    # (id, infusions, note expected)
    ("a single FCM infusion", [fcm(date(2025, 3, 3))], True),
    ("a split FCM course", [fcm(date(2025, 2, 24), 750), fcm(date(2025, 3, 3), 750)], True),
    (
        "another product within 3 months of FCM",
        [fcm(date(2025, 1, 10)), InfusionRecord(date(2025, 3, 3), "derisomaltose")],
        True,
    ),
    (
        "another product more than 3 months after FCM",
        [fcm(date(2024, 12, 2)), InfusionRecord(date(2025, 3, 3), "derisomaltose")],
        False,
    ),
    ("no FCM at all", [InfusionRecord(date(2025, 3, 3), "derisomaltose")], False),
]


@pytest.mark.parametrize(
    "infusions,expected", [c[1:] for c in PHOSPHATE_CASES], ids=[c[0] for c in PHOSPHATE_CASES]
)
def test_it_suggests_phosphate_at_the_recheck_after_fcm(infusions, expected):
    result = next_recheck(DEFAULTS, [], infusions, predict=False)
    assert result.phosphate is expected
    assert any("phosphate" in n for n in result.notes) is expected


def test_the_phosphate_note_wording():
    infusions = [fcm(date(2025, 3, 3))]
    [course] = kinetics.group_courses([i.dose() for i in infusions])
    assert recheck.phosphate_note(infusions, course) == (
        "Ferric carboxymaltose can lower phosphate: reported even after a single dose, more "
        "likely with repeat courses (the US label lists it under warnings and precautions). "
        "With ferric carboxymaltose given on 3 March 2025, ask the treating clinician about "
        "adding phosphate to this re-check."
    )


REPEAT_CASES = [
    # (id, earlier infusions, new infusion, warning expected)
    ("first FCM ever", [], fcm(date(2025, 3, 3)), False),
    ("a repeat FCM course within 3 months", [fcm(date(2024, 12, 10))], fcm(date(2025, 3, 3)), True),
    ("exactly 3 months apart still counts", [fcm(date(2024, 12, 3))], fcm(date(2025, 3, 3)), True),
    ("more than 3 months apart", [fcm(date(2024, 12, 2))], fcm(date(2025, 3, 3)), False),
    (
        "the second dose of a split course",
        [fcm(date(2025, 2, 24), 750)],
        fcm(date(2025, 3, 3), 750),
        False,
    ),
    (
        "the second dose of a course that repeats another",
        [fcm(date(2025, 1, 2)), fcm(date(2025, 2, 24), 750)],
        fcm(date(2025, 3, 3), 750),
        True,
    ),
    (
        # Courses are grouped as everywhere (kinetics.group_courses): from a course's first
        # dose, whatever its product, not from the FCM dose nearest the new one.
        "FCM 8 days after a course's FCM dose, 20 days after its first dose",
        [InfusionRecord(date(2025, 1, 1), "sucrose", 500), fcm(date(2025, 1, 13), 500)],
        fcm(date(2025, 1, 21), 750),
        True,
    ),
    (
        "FCM 13 days after another product's dose: the same course",
        [InfusionRecord(date(2025, 1, 1), "sucrose", 500)],
        fcm(date(2025, 1, 14), 750),
        False,
    ),
    (
        "a new product after FCM",
        [fcm(date(2025, 2, 1))],
        InfusionRecord(date(2025, 3, 3), "derisomaltose"),
        False,
    ),
]


@pytest.mark.parametrize(
    "earlier,new,expected", [c[1:] for c in REPEAT_CASES], ids=[c[0] for c in REPEAT_CASES]
)
def test_entering_a_repeat_fcm_course_warns_before_saving(earlier, new, expected):
    warning = recheck.repeat_fcm_warning(earlier, new)
    assert bool(warning) is expected
    if expected:
        assert "checking phosphate before this course" in warning


@pytest.mark.parametrize(
    "day,months,expected",
    [
        (date(2025, 5, 31), 3, date(2025, 2, 28)),
        (date(2024, 5, 31), 3, date(2024, 2, 29)),
        (date(2025, 1, 15), 3, date(2024, 10, 15)),
    ],
)
def test_months_before_clamps_to_the_end_of_a_short_month(day, months, expected):
    assert recheck.months_before(day, months) == expected


TODAY = date(2025, 5, 10)


@pytest.mark.parametrize(
    "remind_on,soon_days,expected",
    [
        (None, 14, ""),
        (TODAY - timedelta(days=1), 14, "overdue"),
        (TODAY, 14, "today"),
        (TODAY + timedelta(days=14), 14, "soon"),
        (TODAY + timedelta(days=15), 14, "upcoming"),
        (TODAY + timedelta(days=15), 30, "soon"),
    ],
)
def test_urgency_follows_the_due_soon_window(remind_on, soon_days, expected):
    assert recheck.urgency(remind_on, TODAY, soon_days) == expected


# With the real decline model (rlsapp.domain.kinetics): exact, hand-checkable data.
START = date(2025, 1, 1)


def weeks(n):
    return START + timedelta(weeks=n)


def test_it_estimates_from_the_persons_own_linear_decline():
    # 520 - 20 w: 400, 360, 320, 280 at weeks 6-12; reaches 100 at week 21 (28 May).
    points = [Point(weeks(w), 520 - 20 * w) for w in (6, 8, 10, 12)]
    result = next_recheck(DEFAULTS, points, [InfusionRecord(START, "derisomaltose")])
    assert result.kind == "predicted"
    assert result.estimate.crossing == date(2025, 5, 28)
    assert result.due == date(2025, 5, 14)
    assert result.reason == (
        "ferritin estimated to fall below 100 µg/L around 28 May 2025 "
        "(linear fit of this episode's 4 results)"
    )


def test_it_uses_the_population_slope_only_when_allowed():
    # One result of 232 µg/L at week 6: the population prior alone gives the rate.
    points = [Point(weeks(6), 232)]
    settings = replace(DEFAULTS, routine_recheck_weeks=26)
    result = next_recheck(settings, points, [InfusionRecord(START)])
    assert result.estimate.is_population_only
    assert result.kind == "predicted"
    assert result.due == result.estimate.early - timedelta(days=14)
    assert "the population default of 6.6 µg/L per week (Earley et al. 2005" in result.reason

    own_only = next_recheck(
        replace(settings, use_population_slope=False), points, [InfusionRecord(START)]
    )
    assert (own_only.kind, own_only.due) == ("routine", weeks(6) + timedelta(weeks=26))


def test_it_gives_no_estimate_without_an_infusion():
    points = [Point(date(2025, 1, 1), 300), Point(date(2025, 3, 1), 200)]
    result = next_recheck(DEFAULTS, points, [])
    assert result.estimate is None
    assert result.kind == "routine"


def test_below_since_restarts_after_an_infusion():
    points = [Point(date(2025, 1, 1), 80), Point(date(2025, 2, 1), 70)]
    before = next_recheck(DEFAULTS, points, [InfusionRecord(date(2024, 6, 1))])
    assert before.below_since == date(2025, 1, 1)

    after = next_recheck(DEFAULTS, points, [InfusionRecord(date(2025, 3, 1))])
    assert after.below_since is None
    assert not any("below the threshold" in n for n in after.notes)
    # A draw on the infusion day is its baseline: it does not start a new "below" run.
    same_day = next_recheck(DEFAULTS, points, [InfusionRecord(date(2025, 2, 1))])
    assert same_day.below_since is None


def test_an_estimate_never_starts_the_reminder_before_the_latest_result():
    # 400/110/105 at weeks 4/8/12: the window opens after the 105.
    points = [Point(weeks(w), v) for w, v in ((4, 400), (8, 110), (12, 105))]
    result = next_recheck(DEFAULTS, points, [InfusionRecord(START)])
    assert result.estimate.early > weeks(12)
    assert result.kind == "predicted"
    assert result.due == result.estimate.early


@pytest.mark.parametrize(
    "remind_on,today,weeks,until",
    [
        (date(2025, 4, 28), date(2025, 4, 20), 1, date(2025, 5, 5)),  # still to come
        (date(2025, 4, 28), date(2025, 4, 28), 2, date(2025, 5, 12)),  # today
        (date(2025, 3, 29), date(2025, 4, 20), 1, date(2025, 4, 27)),  # overdue
    ],
)
def test_a_snooze_by_weeks_never_brings_a_recheck_forward(remind_on, today, weeks, until):
    assert recheck.snoozed_by_weeks(remind_on, today, weeks) == until


def test_a_snooze_by_weeks_skips_the_weekend_when_the_person_does():
    saturday = date(2025, 4, 26)
    assert recheck.snoozed_by_weeks(saturday, saturday, 1) == date(2025, 5, 3)
    assert recheck.snoozed_by_weeks(saturday, saturday, 1, skip_weekends=True) == date(2025, 5, 5)


def test_the_below_note_names_the_results_it_does_not_count():
    """Ferritin 80, then 300 left out (illness): 'below since' the 80 is true of the results
    in the fits only, and says so beside a latest value of 300."""
    ill = Point(date(2025, 3, 1), 300, excluded=True)
    result = next_recheck(DEFAULTS, [Point(date(2025, 2, 1), 80), ill], [], predict=False)
    assert result.notes == (
        "Ferritin has been below the threshold of 100 µg/L since 1 February 2025, not "
        "counting the result of 1 March 2025, left out of the fits.",
    )
    two = [Point(date(2025, 1, 1), 300, excluded=True), Point(date(2025, 2, 1), 80), ill,
           Point(date(2025, 4, 1), 20, excluded=True)]  # fmt: skip
    assert next_recheck(DEFAULTS, two, [], predict=False).notes == (
        "Ferritin has been below the threshold of 100 µg/L since 1 February 2025, not "
        "counting 2 results left out of the fits (the latest on 1 April 2025).",
    )
