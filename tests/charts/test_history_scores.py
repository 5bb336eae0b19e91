"""The chart history's symptom scores (queries.load_history): by day, then severity,
whatever order they were entered in. On PostgreSQL they come as one row of two arrays
(queries.history_sql), on SQLite as a row each."""

from rlsapp.charts.queries import load_history
from rlsapp.tracking.models import Infusion, SymptomScore

from .helpers import DAY0, add_draw, week


def test_scores_come_by_day_then_severity(patient):
    # Entered out of order, two on one day with the higher severity first, and a twin.
    for day, severity in [(week(3), 5), (week(1), 7), (week(3), 2), (week(1), 7), (DAY0, 0)]:
        SymptomScore.objects.create(patient=patient, recorded_on=day, severity=severity)
    add_draw(patient, week(2), ferritin=300)

    history = load_history(patient)

    assert history.scores == [(DAY0, 0), (week(1), 7), (week(1), 7), (week(3), 2), (week(3), 5)]
    assert [r.analyte for r in history.results] == ["ferritin"]


def test_a_history_without_scores_has_none(patient):
    Infusion.objects.create(patient=patient, given_on=DAY0, product="fcm", dose_mg=1000)
    add_draw(patient, week(2), ferritin=300)

    history = load_history(patient)

    assert history.scores == []
    assert [i.day for i in history.infusions] == [DAY0]
