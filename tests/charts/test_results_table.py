"""The chart as a table (issue 16 item 5): every test and symptom score by date, linked
from the summary under the chart, at a constant number of queries."""

import html as entities
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rlsapp.tracking.models import Infusion, SymptomScore

from .helpers import DAY0, add_draw, add_long_history, week

# Session, user, patient, then the chart history's one query (queries.load_history),
# and the access log's one row.
TABLE_BUDGET = 5


def table_page(client, patient):
    response = client.get(reverse("patient_chart_table", args=[patient.pk]))
    assert response.status_code == 200
    return response.content.decode()


def cells(html, iso):
    row = re.search(rf'<tr data-date="{iso}">(.*?)</tr>', html, re.S).group(1)
    return [
        entities.unescape(re.sub(r"<[^>]+>", "", c).strip())
        for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
    ]


def test_every_analyte_and_symptom_score_is_listed_by_date(owner_client, earley):
    html = table_page(owner_client, earley)

    headers = re.findall(r'data-analyte="(\w+)"', html)
    assert headers == ["ferritin", "hemoglobin", "tsat", "symptoms"]
    # Ferritin, hemoglobin, TSAT (µg/L, g/dL, %), score, infusion; a dash where none.
    assert cells(html, "2023-12-15") == [
        "2023-12-15",
        "40",
        "12.9",
        "–not measured",
        "–no score",
        "",
    ]
    assert cells(html, "2024-01-29") == [
        "2024-01-29",
        "404",
        "–not measured",
        "31",
        "–no score",
        "",
    ]
    assert cells(html, "2024-01-08")[4] == "7"
    assert cells(html, "2024-01-01")[-1] == "FCM 1000 mg"
    # Newest first: the last result (week 16) heads the table.
    assert re.findall(r'<tr data-date="([\d-]+)"', html)[0] == str(week(16))


def test_two_results_on_one_day_and_a_bound_are_both_shown(owner_client, patient):
    add_draw(patient, DAY0, comparator="<", ferritin=15)
    add_draw(patient, DAY0, ferritin=22)
    SymptomScore.objects.create(patient=patient, recorded_on=DAY0, severity=4)

    html = table_page(owner_client, patient)

    assert cells(html, str(DAY0))[1:3] == ["<15 / 22", "4"]


def test_numbers_and_dates_are_written_the_regions_way(owner_client, owner, earley):
    owner.region = "DE"
    owner.save()

    html = table_page(owner_client, earley)

    assert cells(html, "2023-12-15")[:3] == ["15.12.2023", "40", "12,9"]


def test_the_query_count_does_not_grow_with_the_history(owner_client, patient, earley):
    with CaptureQueriesContext(connection) as small:
        table_page(owner_client, earley)
    add_long_history(patient, 300)
    with CaptureQueriesContext(connection) as large:
        html = table_page(owner_client, patient)
    assert html.count("<tr data-date=") > 300
    assert len(small) == len(large) <= TABLE_BUDGET


def test_the_summary_under_the_chart_links_to_it(owner_client, earley):
    html = owner_client.get(earley.get_absolute_url()).content.decode()
    summary = re.search(r'id="history-summary">(.*?)</p>', html, re.S).group(1)
    assert reverse("patient_chart_table", args=[earley.pk]) in summary


def test_an_empty_history_says_what_to_enter(owner_client, patient):
    Infusion.objects.create(patient=patient, given_on=DAY0, dose_mg=1000)
    html = table_page(owner_client, patient)
    assert cells(html, str(DAY0))[-1] == "FCM 1000 mg"
    assert 'data-analyte="ferritin"' not in html
