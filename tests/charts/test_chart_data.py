"""The chart JSON: what it holds, who may see it, and how many queries it costs."""

from datetime import date

import orjson
import pytest
from django.db import connection
from django.urls import reverse

from rlsapp.charts import pages
from rlsapp.charts.data import _symptoms
from rlsapp.tracking.models import Infusion

from .helpers import DAY0, add_draw, add_long_history, week

# Session, user, the person (with the account's role), then the chart history's one query.
CHART_JSON_BUDGET = 4


def chart_json(client, patient):
    response = client.get(reverse("patient_chart_data", args=[patient.pk]))
    assert response.status_code == 200
    return response.json()


def test_it_gives_the_series_infusions_and_reference_lines(owner_client, earley):
    data = chart_json(owner_client, earley)

    assert data["threshold"] == 100
    assert [line["value"] for line in data["reference_lines"]] == [75, 300]
    assert data["ferritin"][0] == {
        "date": "2023-12-15",
        "value": 40.0,
        "comparator": "",
        "lab": "City Lab (Roche)",
        "excluded": False,
        "left_out": "",
    }
    assert len(data["ferritin"]) == 6
    blood = {s["code"]: s["points"] for s in data["blood"]}
    assert [p["value"] for p in blood["hemoglobin"]] == [12.9]
    assert len(blood["tsat"]) == 4 and blood["hematocrit"] == []
    assert data["symptoms"] == [
        {"date": "2024-01-08", "value": 7},
        {"date": "2024-02-12", "value": 2},
    ]
    assert data["infusions"] == [
        {"date": "2024-01-01", "product": "FCM", "dose_mg": 1000, "label": "FCM 1000 mg"}
    ]


def test_the_episode_fit_and_projection_come_out_exact(owner_client, earley):
    data = chart_json(owner_client, earley)

    [episode] = data["episodes"]
    assert episode["baseline"]["value"] == 40.0
    assert episode["peak"] == {"date": "2024-01-15", "value": 610.0, "comparator": ""}
    assert episode["linear"]["decline_per_week"] == 6.6
    assert episode["linear"]["r_squared"] == 1.0
    assert episode["linear"]["n_points"] == 4
    assert episode["linear"]["line"] == [
        {"weeks": 4.0, "value": 403.6},
        {"weeks": 16.0, "value": 324.4},
    ]
    assert episode["model"] == "linear"
    # Exact data: the 80 % window is the one day the line gives.
    assert episode["below_threshold"] == {
        "weeks": 50.0,
        "date": "2024-12-16",
        "early_weeks": 50.0,
        "late_weeks": 50.0,
        "kind": "estimate",
    }
    assert [p["weeks"] for p in episode["points"]] == [2.0, 4.0, 8.0, 12.0, 16.0]

    projection = data["projection"]
    assert (projection["status"], projection["model"]) == ("estimate", "linear")
    assert projection["crossing"] == projection["early"] == projection["late"] == "2024-12-16"
    assert projection["window"] == "around 16 December 2024"
    assert projection["from"] == {"date": "2024-04-22", "value": 324.4, "comparator": ""}
    assert not projection["is_population_default"]
    band = projection["band"]
    assert band[0] == {"date": "2024-04-22", "low": 324.4, "mid": 324.4, "high": 324.4}
    assert band[-1]["date"] == "2024-12-16" and band[-1]["mid"] == 100.0


def test_a_bound_like_less_than_5_is_sent_with_its_comparator(owner_client, patient):
    add_draw(patient, DAY0, comparator="<", ferritin=5)
    add_draw(patient, week(3), ferritin=30)

    data = chart_json(owner_client, patient)

    assert data["ferritin"][0]["comparator"] == "<"


def test_thin_data_fall_back_to_the_population_default_labelled_as_such(owner_client, patient):
    Infusion.objects.create(patient=patient, given_on=DAY0, dose_mg=1000)
    add_draw(patient, week(9), ferritin=166)  # 66 above 100 at 6.6 per week: 10 weeks

    data = chart_json(owner_client, patient)

    projection = data["projection"]
    assert projection["is_population_default"]
    assert projection["sources"] == ["current", "population"]
    assert projection["model"] == "pooled"
    # The band runs from the result, widening, towards the late end of the window; that
    # lies years ahead, so the band stops at the chart's horizon (issue 16 item 5).
    assert projection["band"][0]["date"] == str(week(9))
    assert projection["band_cut"] and projection["band"][-1]["date"] < projection["late"]
    assert projection["band"][-1]["high"] - projection["band"][-1]["low"] > 50
    assert projection["early"] < projection["crossing"] < projection["late"]
    assert data["episodes"][0]["below_threshold"]["kind"] == "population"
    page = owner_client.get(patient.get_absolute_url()).content.decode()
    assert "Population default, not this person’s own data" in page
    assert projection["window"] in page
    assert "measured after iron dextran" in page


def test_no_population_default_when_the_patient_turned_it_off(owner_client, patient):
    patient.use_population_slope = False
    patient.save()
    Infusion.objects.create(patient=patient, given_on=DAY0, dose_mg=1000)
    add_draw(patient, week(9), ferritin=166)

    projection = chart_json(owner_client, patient)["projection"]

    assert projection["status"] == "none" and projection["crossing"] is None
    assert projection["band"] == []


def test_outsiders_and_strangers_cannot_read_it(outsider_client, client, earley):
    url = reverse("patient_chart_data", args=[earley.pk])
    assert outsider_client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_it_is_never_cached(owner_client, earley):
    response = owner_client.get(reverse("patient_chart_data", args=[earley.pk]))
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_queries_stay_within_budget_for_1_or_500_draws(
    owner_client, patient, django_assert_max_num_queries
):
    add_long_history(patient, 1)
    with django_assert_max_num_queries(CHART_JSON_BUDGET):
        small = chart_json(owner_client, patient)
    assert len(small["ferritin"]) == 1

    add_long_history(patient, 500)
    with django_assert_max_num_queries(CHART_JSON_BUDGET):
        large = chart_json(owner_client, patient)
    assert len(large["ferritin"]) == 501
    # Ten infusions 350 days apart, plus the first call's on the same day as the first of
    # them: two infusions on one day are one course, so ten episodes.
    assert len(large["episodes"]) == 10


def test_the_report_stays_within_the_same_budget(
    owner_client, patient, django_assert_max_num_queries
):
    add_long_history(patient, 500)
    # and 3 for its table of medicines (with their events) and oral iron (issue 17), and 1
    # for the newest infusions with their reactions (issue 16 item 2)
    with django_assert_max_num_queries(CHART_JSON_BUDGET + 4):
        response = owner_client.get(reverse("patient_report", args=[patient.pk]))
    assert response.status_code == 200


def test_a_split_course_is_one_row_and_a_lab_change_is_marked(owner_client, patient):
    # 2 x 750 mg a week apart: one episode from the second dose, 1500 mg in all.
    Infusion.objects.create(patient=patient, given_on=DAY0, dose_mg=750, product="fcm")
    Infusion.objects.create(patient=patient, given_on=week(1), dose_mg=750, product="fcm")
    Infusion.objects.create(patient=patient, given_on=week(40), dose_mg=1000, product="fcm")
    add_draw(patient, week(10), ferritin=400, lab="City Lab (Beckman)")
    add_draw(patient, week(50), ferritin=500, lab="Town Lab (Roche)")

    rows = chart_json(owner_client, patient)["episodes"]

    assert [(r["first_date"], r["date"], r["dose_mg"], r["doses"]) for r in rows] == [
        (str(DAY0), str(week(1)), 1500, 2),
        (str(week(40)), str(week(40)), 1000, 1),
    ]
    assert rows[0]["lab_change"] == ""
    assert rows[1]["lab_change"].startswith(
        "Lab changed from City Lab (Beckman) to Town Lab (Roche): assays differ"
    )
    page = owner_client.get(reverse("patient_charts", args=[patient.pk])).content.decode()
    assert "course of 2 doses from 1 Jan" in page and "lab changed" in page


def prepared_histories():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'SELECT ''r''%'"
        )
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares statements")
def test_on_postgresql_the_history_is_prepared_once_and_reads_the_same(earley, settings):
    # Built directly: the view's page cache would answer the second time.
    settings.PREPARED_STATEMENTS = False
    unprepared = pages.chart_json(earley)
    assert prepared_histories() == 0
    settings.PREPARED_STATEMENTS = True
    assert pages.chart_json(earley) == unprepared
    assert prepared_histories() == 1
    add_draw(earley, week(20), ferritin=298)
    again = orjson.loads(pages.chart_json(earley))
    assert prepared_histories() == 1
    assert again["ferritin"][-1]["value"] == 298


def test_symptom_points_are_written_as_orjson_writes_their_dicts():
    days = [date(999, 1, 2), date(2024, 2, 29), date(2024, 2, 29), date(9999, 12, 31)]
    for scores in (list(zip(days, [0, 3, 10, 7], strict=True)), [(days[1], 4)]):
        points = [{"date": day, "value": severity} for day, severity in scores]
        written = _symptoms([day for day, _ in scores], scores)
        assert orjson.dumps({"symptoms": written}) == orjson.dumps({"symptoms": points})
    # None: a list, which the pages read as no scores.
    assert _symptoms([], []) == []


def test_a_fitted_line_that_would_fall_below_zero_stops_at_zero(owner_client, patient):
    """A fall that levels off low, fitted with a straight line, ended at -57.3 µg/L: the
    overlay chart drew its dashed line below zero, on an axis that went below zero for it."""
    Infusion.objects.create(patient=patient, given_on=DAY0, product="fcm", dose_mg=1000)
    for n, value in [(4, 420), (8, 300), (12, 180), (16, 70), (20, 25), (24, 20), (28, 20)]:
        add_draw(patient, week(n), ferritin=value)
    [episode] = chart_json(owner_client, patient)["episodes"]
    start, end = episode["linear"]["line"]
    assert start["weeks"] == 4.0 and start["value"] > 0
    assert end["value"] == 0 and 20 < end["weeks"] < 28


def test_its_numbers_are_written_the_reading_accounts_way_not_the_owners(owner, bob, patient):
    # The locale came from the owner's region: a member in Germany got the owner's US
    # numbers, and kept them cached when the owner changed region (the cache key holds the
    # reader's display version, not the owner's).
    from django.core.cache import cache

    from rlsapp.tracking.memberships import VIEWER, Membership
    from rlsapp.tracking.versions import bump_account_version
    from tests.conftest import client_for

    Membership.objects.create(person=patient, account=bob, role=VIEWER)
    bob.region = "DE"
    bob.save()
    reader, own = client_for(bob), client_for(owner)
    assert chart_json(reader, patient)["locale"] == "de-DE"
    assert chart_json(own, patient)["locale"] == "en-US"
    owner.region = "GB"
    owner.save()
    bump_account_version(owner.pk)  # as the account settings page does
    cached = chart_json(reader, patient)
    cache.clear()
    assert cached == chart_json(reader, patient)
    assert chart_json(own, patient)["locale"] == "en-GB"
