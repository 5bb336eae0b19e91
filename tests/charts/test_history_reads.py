"""What the chart history (queries.load_history) reads. Symptom scores by day, then
severity, whatever order they were entered in (on PostgreSQL one row of two arrays,
queries.history_sql; on SQLite a row each); the results of the charts' tests alone when
asked for those."""

import orjson
import pytest
from django.core.serializers.json import DjangoJSONEncoder

from rlsapp.charts import pages
from rlsapp.charts.data import CHART_ANALYTES
from rlsapp.charts.queries import history_sql, load_history
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


def test_the_charts_read_the_results_of_their_tests_alone(patient):
    add_draw(patient, DAY0, ferritin=40, iron=60, tibc=300, hemoglobin=12.9)
    add_draw(patient, week(2), ferritin=300, tsat=20, hematocrit=38.5)
    SymptomScore.objects.create(patient=patient, recorded_on=week(1), severity=6)

    charted = load_history(patient, CHART_ANALYTES)
    whole = load_history(patient)

    # Each test's results in the same order (a draw's results have no order among them).
    for code in CHART_ANALYTES:
        assert charted.series(code) == whole.series(code)
    assert {r.analyte for r in whole.results} - {r.analyte for r in charted.results} == {
        "iron",
        "tibc",
    }
    # The chart data is the same from either history, as written (the symptom scores are
    # finished JSON, which compares only as text).
    assert pages.chart_json(patient) == orjson.dumps(
        pages.build_chart_data(patient, whole, pages.timezone.localdate()),
        default=DjangoJSONEncoder().default,
    )


def test_only_known_tests_are_written_into_the_query():
    with pytest.raises(ValueError, match="not a test"):
        history_sql(("ferritin", "x') OR ('1' = '1"))
