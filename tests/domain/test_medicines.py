import datetime

import pytest

from rlsapp.domain import kinetics, medicines

D = datetime.date
TODAY = D(2026, 6, 1)


def test_an_end_before_the_start_is_refused_naming_the_end():
    problems = medicines.period_problems(D(2026, 3, 1), D(2026, 2, 1), TODAY)
    assert list(problems) == ["end"]
    assert "2026-02-01 is before the start date 2026-03-01" in problems["end"]


def test_a_future_start_is_refused_naming_the_start():
    problems = medicines.period_problems(D(2026, 7, 1), None, TODAY)
    assert list(problems) == ["start"]
    assert "future" in problems["start"]


def test_a_period_may_end_on_its_start_day_or_run_on():
    assert medicines.period_problems(D(2026, 3, 1), D(2026, 3, 1), TODAY) == {}
    assert medicines.period_problems(D(2026, 3, 1), None, TODAY) == {}


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((D(2026, 1, 1), D(2026, 1, 31)), (D(2026, 2, 1), None), False),
        ((D(2026, 1, 1), D(2026, 2, 1)), (D(2026, 2, 1), None), True),  # a shared day
        ((D(2026, 1, 1), None), (D(2026, 5, 1), D(2026, 5, 2)), True),  # ongoing runs on
        ((D(2026, 3, 1), D(2026, 3, 5)), (D(2026, 1, 1), D(2026, 2, 28)), False),
    ],
)
def test_overlaps(a, b, expected):
    assert medicines.overlaps(*a, *b) is expected
    assert medicines.overlaps(*b, *a) is expected


def test_elemental_iron_outside_the_limits_names_the_salt_mix_up():
    assert medicines.elemental_problem(65) is None
    problem = medicines.elemental_problem(650)
    assert "650 mg read" in problem and "from 5 to 400 mg" in problem
    assert "not the salt" in problem


@pytest.mark.parametrize(
    ("drug", "dose", "unit", "ok"),
    [
        ("pramipexole", 0.25, "mg", True),
        ("pramipexole", 250, "ug", True),  # µg converted to mg for the limits
        ("pramipexole", 25, "mg", False),  # µg typed as mg
        ("ropinirole", 4, "mg", True),
        ("rotigotine", 2, "mg/24h", True),
        ("rotigotine", 2, "mg", False),  # a patch is per 24 h
        ("gabapentin", 3600, "mg", True),
        ("gabapentin", 36000, "mg", False),
        ("pregabalin", 0, "mg", False),
        ("other", 12, "mg", True),
        ("other", -1, "mg", False),
    ],
)
def test_dose_limits(drug, dose, unit, ok):
    assert (medicines.dose_problem(drug, dose, unit) is None) is ok


def test_a_refused_dose_names_what_was_read_what_is_accepted_and_the_source():
    problem = medicines.dose_problem("pramipexole", 25, "mg")
    assert "25 mg/day read" in problem
    assert "0.0625–4.5 mg per day" in problem
    assert "US label" in problem


def test_every_listed_drug_has_a_class_a_unit_and_limits_with_a_source():
    for drug in medicines.DRUGS.values():
        assert drug.drug_class in medicines.CLASS_LABELS
        if drug.code != "other":
            assert 0 < drug.low < drug.high and drug.source


def test_dopamine_agonists_and_levodopa_get_the_augmentation_link():
    assert medicines.is_dopamine_agonist("pramipexole")
    assert medicines.is_dopamine_agonist("levodopa")
    assert not medicines.is_dopamine_agonist("pregabalin")
    assert not medicines.is_dopamine_agonist("other")


def test_the_tsat_note_appears_from_45_percent():
    assert medicines.tsat_note(44.9) is None
    assert medicines.tsat_note(None) is None
    note = medicines.tsat_note(45)
    assert note.startswith("Note from the guidelines, not advice")


def test_an_event_must_fall_within_the_time_taken():
    start, stop = D(2026, 1, 1), D(2026, 3, 1)
    assert medicines.event_problem(D(2026, 2, 1), start, stop) is None
    assert "from 2026-01-01 to 2026-03-01" in medicines.event_problem(D(2026, 4, 1), start, stop)
    assert "to today" in medicines.event_problem(D(2025, 12, 1), start, None)


def test_points_during_a_course_are_left_out_and_the_others_kept():
    points = [
        kinetics.Point(D(2026, 1, 1), 200),
        kinetics.Point(D(2026, 2, 1), 150),  # during the course
        kinetics.Point(D(2026, 3, 1), 170),  # its last day
        kinetics.Point(D(2026, 3, 2), 160),
    ]
    course = medicines.Period(D(2026, 2, 1), D(2026, 3, 1))
    marked = medicines.leave_out_during(points, [course])
    assert [p.excluded for p in marked] == [False, True, True, False]
    assert [p.value for p in marked] == [200, 150, 170, 160]


def test_an_ongoing_course_leaves_out_every_later_point():
    points = [kinetics.Point(D(2026, 1, 1), 200), kinetics.Point(D(2027, 1, 1), 90)]
    marked = medicines.leave_out_during(points, [medicines.Period(D(2026, 6, 1), None)])
    assert [p.excluded for p in marked] == [False, True]


def test_a_left_out_point_enters_no_fit():
    """The decline fit (kinetics) ignores the points the courses mark."""
    infusion = kinetics.Dose(D(2026, 1, 1), 1000)
    days = [D(2026, 1, 1) + datetime.timedelta(weeks=w) for w in (5, 8, 11, 14, 17)]
    # A steady decline, then a rise during oral iron from week 13.
    values = [300, 270, 240, 300, 330]
    points = [kinetics.Point(d, v) for d, v in zip(days, values, strict=True)]
    course = medicines.Period(D(2026, 1, 1) + datetime.timedelta(weeks=13), None)
    plain = kinetics.split_episodes(points, [infusion])[0]
    left_out = kinetics.split_episodes(medicines.leave_out_during(points, [course]), [infusion])[0]
    assert plain.linear.slope_per_week > -5  # the rise reads as a slower decline
    assert left_out.linear.slope_per_week == pytest.approx(-10)
    assert left_out.linear.n_points == 3


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Rotigotine", "rotigotine"),  # the drug, as shared/domain.md names it
        ("Neupro", "rotigotine"),
        ("Mirapex", "pramipexole"),
        ("requip", "ropinirole"),
        ("Lyrica", "pregabalin"),
        ("Horizant", "gabapentin_enacarbil"),
        ("gabapentin enacarbil", "gabapentin_enacarbil"),
        ("Neurontin", "gabapentin"),
        ("Oxycodone/naloxone", "oxycodone"),
        ("Pramipexole (Mirapex)", "pramipexole"),
        ("Clonazepam", None),
    ],
)
def test_a_file_may_name_a_listed_medicine_by_its_drug_or_its_brand(name, code):
    """'Rotigotine' or 'Mirapex' in an imported file became an 'other' medicine, so it lost
    its dopamine agonist's strip colour, augmentation link and dose limits."""
    assert medicines.drug_code_for(name) == code


def test_an_oral_iron_product_may_be_spelled_the_british_way():
    assert medicines.iron_code_for("Ferrous sulphate") == "ferrous_sulfate"
    assert medicines.iron_code_for("ferrous sulfate") == "ferrous_sulfate"
