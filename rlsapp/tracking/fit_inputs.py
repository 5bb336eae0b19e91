"""What the decline rules read from a person's records: the same for reminders and charts.

The re-check card (reminders) and the chart (charts) must agree on every point and
setting, so both build them here:

- `settings_for`: a person's re-check settings as rlsapp.domain.recheck.Settings;
- `ferritin_point`: a stored ferritin row as a kinetics.Point, with the one rule for
  what is left out of the fits: a draw left out by hand (LabDraw.left_out_reason), or,
  when the person's setting says so, a draw taken during an oral iron course (ferritin
  rises during one, so the rise is not a slower decline: issue 17). A left-out point
  stays in every table, marked with `left_out_words`.

The callers run the queries (each keeps its own query budget) and pass the rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from rlsapp.domain import medicines, recheck, result_flags, rules
from rlsapp.domain.kinetics import Point

from .models import Patient
from .treatments import OralIronCourse

# The draw fields a ferritin row needs, after its day, value and comparator.
DRAW_FIELDS = (
    "draw__lab_name",
    "draw__left_out_reason",
    "draw__left_out_note",
    "draw__after_infusion",
)
COURSE_FIELDS = ("started_on", "ended_on", "product", "product_other")


# The re-check settings a person chooses, named alike on Patient and recheck.Settings
# (the threshold is the one named differently).
SETTING_FIELDS = (
    "first_recheck_weeks",
    "routine_recheck_weeks",
    "reminder_lead_days",
    "due_soon_days",
    "use_population_slope",
    "population_slope",
    "first_recheck_min_weeks",
    "course_days",
    "skip_weekends",
)


def settings_for(patient: Patient) -> recheck.Settings:
    chosen = {name: getattr(patient, name) for name in SETTING_FIELDS}
    return recheck.Settings(threshold=patient.ferritin_threshold, **chosen)


def flag_result(patient: Patient, analyte, value, comparator, day, after_infusion, infusion_days):
    """A result's flag against the person's sex and ferritin threshold, so the person page
    and the report say the same words; `infusion_days` sorted, oldest first."""
    return result_flags.result_flag(
        analyte,
        value,
        comparator,
        sex=patient.sex,
        threshold=patient.ferritin_threshold,
        day=day,
        infusion_days=infusion_days,
        after_infusion=after_infusion,
    )


def flagger(patient: Patient, infusion_days):
    """flag_result for many results of the person: a function of (analyte, value,
    comparator, day, after_infusion)."""
    return result_flags.flagger(patient.sex, patient.ferritin_threshold, infusion_days)


def period(started_on, ended_on, product, product_other) -> medicines.Period:
    """An oral iron course (a COURSE_FIELDS row) as the time it covers."""
    return medicines.Period(started_on, ended_on, medicines.iron_label(product, product_other))


def left_out_periods(patient: Patient, courses: Iterable[medicines.Period]) -> list:
    """Of a person's oral iron courses, those whose draws are left out of the fits: all of
    them, or none when the person's setting (leave_out_oral_iron) is off."""
    return list(courses) if patient.leave_out_oral_iron else []


def oral_iron_periods(patient: Patient) -> list[medicines.Period]:
    """left_out_periods read from the database (one query, none when the setting is off)."""
    if not patient.leave_out_oral_iron:
        return []
    rows = OralIronCourse.objects.filter(patient=patient).values_list(*COURSE_FIELDS)
    return left_out_periods(patient, [period(*row) for row in rows])


def _left_out_course(day: datetime.date, periods) -> medicines.Period | None:
    # No course to look through without periods (most people have none).
    return medicines.course_on(day, periods) if periods else None


def left_out_words(
    day: datetime.date, reason: str, note: str, periods: Iterable[medicines.Period]
) -> str:
    """'left out: illness (flu)', 'left out: taken during Ferrous sulfate', or '' for a
    draw in the fits. A reason given by hand comes first."""
    if reason:
        return rules.left_out_by_hand_words(reason, note)
    course = _left_out_course(day, periods)
    if course:
        return f"left out: taken during {course.label or 'an oral iron course'}"
    return ""


def fit_point(
    day: datetime.date,
    value: float,
    comparator: str,
    lab: str,
    reason: str,
    after_infusion: bool,
    periods: Iterable[medicines.Period],
) -> Point:
    """ferritin_point's Point alone, for callers that show no words (the re-check): left
    out by the same rule as left_out_words, without writing the words."""
    excluded = bool(reason) or _left_out_course(day, periods) is not None
    return Point(day, value, comparator or "", bool(after_infusion), excluded, lab or "")


def ferritin_point(
    day: datetime.date,
    value: float,
    comparator: str,
    lab: str,
    reason: str,
    note: str,
    after_infusion: bool,
    periods: Iterable[medicines.Period],
) -> tuple[Point, str]:
    """One ferritin row (day, value, comparator, *DRAW_FIELDS) as a Point, and why it is
    left out ('' when it is not). `periods`: what oral_iron_periods gives."""
    words = left_out_words(day, reason, note, periods)
    point = Point(day, value, comparator or "", bool(after_infusion), bool(words), lab or "")
    return point, words
