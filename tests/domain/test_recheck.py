from dataclasses import replace
from datetime import date, timedelta

import pytest

from rlsapp.domain import recheck
from rlsapp.domain.kinetics import Point, Prediction
from rlsapp.domain.recheck import InfusionRecord, Settings, next_recheck

DEFAULTS = Settings()
INFUSION = InfusionRecord(date(2025, 3, 3), "derisomaltose")


def prediction(crossing, method="linear", n=4, rate=5.8, population=False):
    return Prediction(
        crossing=crossing,
        method=method,
        n_points=n,
        decline_per_week=rate,
        explanation=f"{method} fit",
        is_population_default=population,
    )


RULE_CASES = [
    # (id, settings, points, infusions, expected kind, due, reason)
    ("nothing recorded", DEFAULTS, [], [], "", None, ""),
    (
        "first re-check after the infusion",
        DEFAULTS,
        [],
        [INFUSION],
        "first",
        date(2025, 4, 28),
        "8 weeks after the infusion on 3 March",
    ),
    (
        "a result in the spike weeks does not satisfy the first re-check",
        DEFAULTS,
        [Point(date(2025, 3, 17), 600)],
        [INFUSION],
        "first",
        date(2025, 4, 28),
        "8 weeks after the infusion on 3 March",
    ),
    (
        "a result 4 weeks after the infusion satisfies it; routine follows",
        DEFAULTS,
        [Point(date(2025, 3, 31), 450)],
        [INFUSION],
        "routine",
        date(2025, 6, 23),
        "12 weeks after the last ferritin result on 31 March",
    ),
    (
        "without any infusion, routine from the latest ferritin",
        DEFAULTS,
        [Point(date(2024, 10, 1), 150), Point(date(2025, 1, 10), 120)],
        [],
        "routine",
        date(2025, 4, 4),
        "12 weeks after the last ferritin result on 10 January",
    ),
    (
        "the year is named when it differs from the due date's",
        DEFAULTS,
        [],
        [InfusionRecord(date(2024, 11, 20))],
        "first",
        date(2025, 1, 15),
        "8 weeks after the infusion on 20 November 2024",
    ),
    (
        "a shorter first interval is satisfied by a result on its due date",
        replace(DEFAULTS, first_recheck_weeks=2, routine_recheck_weeks=6),
        [Point(date(2025, 3, 17), 600)],
        [INFUSION],
        "routine",
        date(2025, 4, 28),
        "6 weeks after the last ferritin result on 17 March",
    ),
    (
        "the latest of several infusions counts",
        replace(DEFAULTS, first_recheck_weeks=6),
        [Point(date(2025, 1, 20), 300)],
        [InfusionRecord(date(2024, 12, 1)), INFUSION],
        "first",
        date(2025, 4, 14),
        "6 weeks after the infusion on 3 March",
    ),
]


@pytest.mark.parametrize(
    "rules,points,infusions,kind,due,reason",
    [c[1:] for c in RULE_CASES],
    ids=[c[0] for c in RULE_CASES],
)
def test_it_picks_the_rule_from_the_settings(rules, points, infusions, kind, due, reason):
    result = next_recheck(rules, points, infusions, predict=False)
    assert (result.kind, result.due, result.reason) == (kind, due, reason)


LATEST = Point(date(2025, 6, 30), 160)
PREDICTION_CASES = [
    # (id, settings, prediction, latest point, expected kind, due, reason)
    (
        "a predicted crossing earlier than routine wins, lead time before it",
        DEFAULTS,
        prediction(date(2025, 9, 10)),
        LATEST,
        "predicted",
        date(2025, 8, 27),
        "ferritin predicted to fall below 100 µg/L around 10 September: "
        "4 results, 5.8 µg/L per week",
    ),
    (
        "a later crossing leaves routine first",
        DEFAULTS,
        prediction(date(2025, 12, 1)),
        LATEST,
        "routine",
        date(2025, 9, 22),
        "12 weeks after the last ferritin result on 30 June",
    ),
    (
        "the population default is labelled as such",
        replace(DEFAULTS, threshold=75),
        prediction(date(2025, 8, 1), "population", 1, 6.6, population=True),
        LATEST,
        "predicted",
        date(2025, 7, 18),
        "ferritin predicted to fall below 75 µg/L around 1 August: "
        "population default of 6.6 µg/L per week, too few results of your own",
    ),
    (
        "a result inside the lead window moves the reminder to the predicted date",
        DEFAULTS,
        prediction(date(2025, 7, 5)),
        LATEST,
        "predicted",
        date(2025, 7, 5),
        "ferritin predicted to fall below 100 µg/L around 5 July: 4 results, 5.8 µg/L per week",
    ),
    (
        "a result after the predicted date, still above the threshold, outweighs the fit",
        DEFAULTS,
        prediction(date(2025, 6, 20)),
        LATEST,
        "routine",
        date(2025, 9, 22),
        "12 weeks after the last ferritin result on 30 June",
    ),
    (
        "a lead time of zero reminds on the predicted date",
        replace(DEFAULTS, reminder_lead_days=0),
        prediction(date(2025, 9, 10)),
        LATEST,
        "predicted",
        date(2025, 9, 10),
        "ferritin predicted to fall below 100 µg/L around 10 September: "
        "4 results, 5.8 µg/L per week",
    ),
    (
        "on the same day the prediction is the reason shown",
        DEFAULTS,
        prediction(date(2025, 10, 6)),
        LATEST,
        "predicted",
        date(2025, 9, 22),
        "ferritin predicted to fall below 100 µg/L around 6 October: 4 results, 5.8 µg/L per week",
    ),
    (
        "no crossing predicted (not falling): routine",
        DEFAULTS,
        prediction(None, "none", 3, None),
        LATEST,
        "routine",
        date(2025, 9, 22),
        "12 weeks after the last ferritin result on 30 June",
    ),
]


@pytest.mark.parametrize(
    "rules,predicted,latest,kind,due,reason",
    [c[1:] for c in PREDICTION_CASES],
    ids=[c[0] for c in PREDICTION_CASES],
)
def test_it_reminds_before_a_predicted_crossing(rules, predicted, latest, kind, due, reason):
    infusion = InfusionRecord(date(2025, 4, 1))
    result = next_recheck(rules, [latest], [infusion], prediction=predicted)
    assert (result.kind, result.due, result.reason) == (kind, due, reason)


def test_it_lists_every_applicable_rule_earliest_first():
    result = next_recheck(
        DEFAULTS,
        [LATEST],
        [InfusionRecord(date(2025, 4, 1))],
        prediction=prediction(date(2025, 9, 10)),
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
    below_notes = [n for n in result.notes if "below your threshold" in n]
    assert bool(below_notes) == (since is not None)


def test_the_below_note_names_the_threshold_and_the_day():
    points = [Point(date(2025, 2, 1), 95), Point(date(2025, 3, 1), 70)]
    result = next_recheck(DEFAULTS, points, [], predict=False)
    assert result.notes == (
        "Ferritin has been below your threshold of 100 µg/L since 1 February 2025.",
    )


PHOSPHATE_CASES = [
    # (id, infusions, prompt expected)
    ("one FCM infusion", [InfusionRecord(date(2025, 3, 3), "fcm")], False),
    (
        "FCM after another infusion within 3 months",
        [InfusionRecord(date(2024, 12, 10), "fcm"), InfusionRecord(date(2025, 3, 3), "fcm")],
        True,
    ),
    (
        "exactly 3 months apart still counts",
        [InfusionRecord(date(2024, 12, 3), "sucrose"), InfusionRecord(date(2025, 3, 3), "fcm")],
        True,
    ),
    (
        "more than 3 months apart",
        [InfusionRecord(date(2024, 12, 2), "fcm"), InfusionRecord(date(2025, 3, 3), "fcm")],
        False,
    ),
    (
        "the last infusion was not FCM",
        [
            InfusionRecord(date(2025, 2, 1), "fcm"),
            InfusionRecord(date(2025, 3, 3), "derisomaltose"),
        ],
        False,
    ),
]


@pytest.mark.parametrize(
    "infusions,expected", [c[1:] for c in PHOSPHATE_CASES], ids=[c[0] for c in PHOSPHATE_CASES]
)
def test_it_prompts_a_phosphate_check_after_repeat_fcm(infusions, expected):
    result = next_recheck(DEFAULTS, [], infusions, predict=False)
    assert result.phosphate is expected
    assert any("phosphate" in n for n in result.notes) is expected


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


def test_it_predicts_from_the_persons_own_linear_decline():
    # 520 - 20 w: 400, 360, 320, 280 at weeks 6-12; reaches 100 at week 21 (28 May).
    points = [Point(weeks(w), 520 - 20 * w) for w in (6, 8, 10, 12)]
    result = next_recheck(DEFAULTS, points, [InfusionRecord(START, "fcm")])
    assert result.kind == "predicted"
    assert result.prediction.crossing == date(2025, 5, 28)
    assert result.due == date(2025, 5, 14)
    assert result.reason == (
        "ferritin predicted to fall below 100 µg/L around 28 May: 4 results, 20.0 µg/L per week"
    )


def test_it_uses_the_population_slope_only_when_allowed():
    # One result of 232 µg/L at week 6: at 6.6 µg/L per week, 100 in 20 weeks (2 July).
    points = [Point(weeks(6), 232)]
    settings = replace(DEFAULTS, routine_recheck_weeks=26)
    result = next_recheck(settings, points, [InfusionRecord(START)])
    assert result.prediction.is_population_default
    assert (result.kind, result.due) == ("predicted", date(2025, 6, 18))
    assert "population default of 6.6 µg/L per week" in result.reason

    own_only = next_recheck(
        replace(settings, use_population_slope=False), points, [InfusionRecord(START)]
    )
    assert (own_only.kind, own_only.due) == ("routine", weeks(6) + timedelta(weeks=26))


def test_it_gives_no_prediction_without_an_infusion():
    points = [Point(date(2025, 1, 1), 300), Point(date(2025, 3, 1), 200)]
    result = next_recheck(DEFAULTS, points, [])
    assert result.prediction is None
    assert result.kind == "routine"
