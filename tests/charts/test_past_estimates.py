"""The chart's past estimates, stored by the re-check scheduler (tracking/past_estimates.py):
the chart shows what it would work out itself, uses the stored ones only while they rest
on what it read, and a save after the latest infusion leaves them unwritten."""

import datetime
import io

import orjson
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rlsapp.charts.data import CHART_ANALYTES, build_chart_data
from rlsapp.charts.queries import load_history
from rlsapp.tracking import services
from rlsapp.tracking.models import PastEstimates

from ..reminders.helpers import add_ferritin, add_infusion

START = datetime.date(2023, 1, 2)
TABLE = PastEstimates._meta.db_table


def _day(weeks):
    return START + datetime.timedelta(weeks=weeks)


@pytest.fixture
def three_infusions(patient):
    """Three infusions; in the first two episodes ferritin falls but is never seen below
    the threshold, so the chart estimates when it would have been."""
    for week, values in ((0, (650, 460, 330)), (60, (700, 520, 380)), (120, (640,))):
        add_infusion(patient, _day(week))
        for n, value in enumerate(values):
            add_ferritin(patient, _day(week + 4 + 6 * n), value)
    return patient


def _chart(patient, stored=True):
    history = load_history(patient, CHART_ANALYTES)
    if not stored:
        history.past = None
    return build_chart_data(patient, history, timezone.localdate())


def _dumped(data):
    return orjson.dumps(data, default=str)


def _writes(queries):
    # A statement that changes the table names it after its verb (a read may start WITH).
    table = connection.ops.quote_name(TABLE)
    verbs = (f"INSERT INTO {table}", f"UPDATE {table}", f"DELETE FROM {table}")
    return [q["sql"] for q in queries if any(verb in q["sql"] for verb in verbs)]


def test_the_chart_shows_what_it_would_work_out_itself(three_infusions):
    row = PastEstimates.objects.get(patient=three_infusions)
    assert len(orjson.loads(row.estimates)) == 2
    data = _chart(three_infusions)
    estimated = [e["below_threshold"] for e in data["episodes"][:2]]
    assert [b["kind"] for b in estimated] == ["estimate", "estimate"]
    assert _dumped(data) == _dumped(_chart(three_infusions, stored=False))


def test_the_chart_uses_the_stored_estimates_while_they_fit(three_infusions):
    # Stored dates moved by a year, under the right digest: the chart shows them, so it
    # read them instead of working them out.
    row = PastEstimates.objects.get(patient=three_infusions)
    moved = {
        start: [status, model, *(_year_later(d) for d in days), population]
        for start, (status, model, *days, population) in orjson.loads(row.estimates).items()
    }
    PastEstimates.objects.filter(pk=row.pk).update(estimates=orjson.dumps(moved).decode())
    shown = _chart(three_infusions)["episodes"][0]["below_threshold"]["date"]
    truth = _chart(three_infusions, stored=False)["episodes"][0]["below_threshold"]["date"]
    assert shown == truth.replace(year=truth.year + 1)


def _year_later(iso):
    if iso is None:
        return None
    day = datetime.date.fromisoformat(iso)
    return day.replace(year=day.year + 1).isoformat()


def test_stored_estimates_that_rest_on_other_results_are_not_shown(three_infusions):
    PastEstimates.objects.filter(patient=three_infusions).update(estimates='{"2023-01-02": []}')
    # A result saved around the services (as a restore of an old backup might): the stored
    # digest no longer fits, and the chart works the estimates out again.
    PastEstimates.objects.filter(patient=three_infusions).update(digest="0" * 32)
    assert _dumped(_chart(three_infusions)) == _dumped(_chart(three_infusions, stored=False))


def test_a_result_after_the_latest_infusion_writes_no_past_estimate(three_infusions):
    before = PastEstimates.objects.get(patient=three_infusions)
    with CaptureQueriesContext(connection) as queries:
        add_ferritin(three_infusions, _day(130), 500)
    assert _writes(queries.captured_queries) == []
    after = PastEstimates.objects.get(patient=three_infusions)
    assert (after.digest, after.estimates) == (before.digest, before.estimates)


def test_a_result_before_the_latest_infusion_writes_them_again(three_infusions):
    # What the test above counts on: the write it looks for is seen when it happens.
    with CaptureQueriesContext(connection) as queries:
        add_ferritin(three_infusions, _day(20), 300)
    assert len(_writes(queries.captured_queries)) == 1


def test_a_result_in_a_past_episode_stores_them_again(three_infusions):
    before = PastEstimates.objects.get(patient=three_infusions)
    draw = add_ferritin(three_infusions, _day(40), 90)  # the first episode, now seen below
    after = PastEstimates.objects.get(patient=three_infusions)
    assert after.digest != before.digest
    assert len(orjson.loads(after.estimates)) == 1
    assert _dumped(_chart(three_infusions)) == _dumped(_chart(three_infusions, stored=False))
    services.delete(draw)
    assert PastEstimates.objects.get(patient=three_infusions).estimates == before.estimates


def test_a_new_threshold_stores_them_again(three_infusions):
    before = PastEstimates.objects.get(patient=three_infusions).digest
    three_infusions.ferritin_threshold = 75
    services.save_person(three_infusions)
    assert PastEstimates.objects.get(patient=three_infusions).digest != before
    assert _dumped(_chart(three_infusions)) == _dumped(_chart(three_infusions, stored=False))


def test_recompute_reminders_stores_them_again_whatever_the_digest(three_infusions):
    PastEstimates.objects.filter(patient=three_infusions).update(estimates="{}")
    call_command("recompute_reminders", stdout=io.StringIO())
    assert len(orjson.loads(PastEstimates.objects.get(patient=three_infusions).estimates)) == 2


def test_they_go_with_the_person(three_infusions):
    services.erase_person(three_infusions)
    assert not PastEstimates.objects.exists()
