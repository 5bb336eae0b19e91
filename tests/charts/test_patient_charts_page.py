"""The charts section on the person page, the charts page behind it, and the printable
report."""

import datetime

import pytest
from django.urls import reverse

from rlsapp.assets import ASSETS
from rlsapp.tracking import services
from rlsapp.tracking.models import Infusion

from .helpers import DAY0, add_draw, add_long_history, week

# The session, the user, the person, the results, the other records (oral iron and
# medicines included) in one statement, the medicines' events and the access log's row.
PATIENT_PAGE_BUDGET = 7


def missing_from(html, *texts):
    """The texts the page lacks (all of them named when a test fails, not only the first)."""
    return [text for text in texts if text not in html]


def page(client, patient, name="patient_detail"):
    response = client.get(reverse(name, args=[patient.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_an_empty_history_explains_what_to_enter_instead_of_an_empty_canvas(owner_client, patient):
    html = page(owner_client, patient)

    assert "<canvas" not in html
    # One short note, not six empty boxes (issue 16 item 3).
    assert "Getting started" in html
    assert "No ferritin results yet." not in html and "No infusions recorded." not in html
    assert reverse("draw_create", args=[patient.pk]) in html
    assert reverse("infusion_create", args=[patient.pk]) in html


def test_a_single_result_asks_for_a_second_one(owner_client, patient):
    add_draw(patient, DAY0, ferritin=42)

    html = page(owner_client, patient)

    assert "One ferritin result so far" in html
    assert 'id="history-chart"' not in html


def test_results_after_an_infusion_but_too_few_to_fit_say_why(owner_client, patient):
    Infusion.objects.create(patient=patient, given_on=DAY0, dose_mg=1000)
    add_draw(patient, week(2), ferritin=500)

    html = page(owner_client, patient, "patient_charts")

    assert 'id="history-chart"' in html
    assert "Not enough results after an infusion yet." in html
    assert "No fit: no ferritin result 4+ weeks after the infusion yet" in html


def test_a_history_gets_both_charts_the_table_and_the_pinned_scripts(owner_client, earley):
    html = page(owner_client, earley)

    assert 'id="history-chart"' in html and 'id="overlay-chart"' in html
    assert f'data-chart-url="{reverse("patient_chart_data", args=[earley.pk])}"' in html
    for name in ("chartjs", "chartjs_date_adapter", "chartjs_annotation"):
        asset = ASSETS[name]
        assert f'src="{asset.url}" integrity="{asset.integrity}"' in html
    assert "js/patient_charts.js" in html
    assert "<script>" not in html  # no inline script: the CSP forbids it
    assert reverse("patient_report", args=[earley.pk]) in html


# What Earley's history shows: the numbers in the charts page's fit table, and the report's
# summary, charts, latest values and disclaimer.
SHOWN = {
    "patient_charts": (
        '<td class="decline">6.6</td>',
        '<td class="r2">1.00</td>',
        '<td class="points">4 <span class="note model">linear</span></td>',
        '<td class="baseline">40</td>',
        '<td class="peak">610</td>',
        "50.0",
        "(estimate; 8 in 10: 50–50)",
        "Estimate:</strong> below 100 µg/L around 16 December 2024",
        "model: linear fit",
        "Not medical advice",
    ),
    "patient_report": (
        "Ferritin and iron report: ",
        "Ferritin threshold",
        "100 µg/L",
        'id="history-chart"',
        'id="infusion-kinetics"',
        # the results with the lab's name (the latest values only list what the table
        # does not show)
        "324",
        "City Lab (Roche)",
        "12.9",
        "it does not give medical advice",
        'data-action="print"',
    ),
}


@pytest.mark.parametrize("name", SHOWN, ids=["the fit table", "the report"])
def test_the_fit_table_and_the_report_show_what_they_should(owner_client, earley, name):
    assert missing_from(page(owner_client, earley, name), *SHOWN[name]) == []


def test_the_patient_page_stays_within_budget_for_500_draws(
    owner_client, patient, django_assert_max_num_queries
):
    add_long_history(patient, 1)
    with django_assert_max_num_queries(PATIENT_PAGE_BUDGET):
        page(owner_client, patient)
    add_long_history(patient, 500)
    with django_assert_max_num_queries(PATIENT_PAGE_BUDGET):
        page(owner_client, patient)


@pytest.mark.parametrize("name", ["patient_report", "patient_chart_data"])
def test_outsiders_get_404(outsider_client, patient, name):
    assert outsider_client.get(reverse(name, args=[patient.pk])).status_code == 404


def test_an_empty_report_still_renders_and_says_so(owner_client, patient):
    html = page(owner_client, patient, "patient_report")

    assert "Ferritin results appear here once they are entered." in html
    assert "No lab results entered." in html
    assert datetime.date.today().strftime("%Y") in html


def test_a_long_history_is_summed_up_in_words_under_the_chart(owner_client, patient):
    add_long_history(patient, 150)

    html = page(owner_client, patient)

    summary = html[html.index('id="history-summary"') : html.index("overlay-heading")]
    assert "150 ferritin results from 1 Jan 2024 to" in summary
    assert reverse("draw_list", args=[patient.pk]) in summary  # every result, page by page
    # The person page no longer lists a hundred rows under the chart.
    assert "<tr><td>" not in summary


def test_a_latest_result_below_the_threshold_is_said_plainly_without_a_projection(
    owner_client, patient
):
    Infusion.objects.create(patient=patient, given_on=DAY0, dose_mg=1000)
    add_draw(patient, week(6), ferritin=300)
    add_draw(patient, week(30), ferritin=80)

    html = page(owner_client, patient, "patient_charts")

    assert "Below the threshold:</strong> The latest result (" in html
    assert "estimated, not measured" not in html  # no projected row in the data table


def test_both_chart_canvases_take_focus_and_point_to_their_words(owner_client, patient):
    Infusion.objects.create(patient=patient, given_on=DAY0, dose_mg=1000)
    add_draw(patient, week(6), ferritin=300)
    add_draw(patient, week(12), ferritin=260)
    html = page(owner_client, patient)
    for canvas, words in [
        ("history-chart", "history-summary"),
        ("overlay-chart", "overlay-caption"),
    ]:
        tag = html[html.index(f'<canvas id="{canvas}"') :].split(">", 1)[0]
        assert 'tabindex="0"' in tag and f'aria-describedby="{words}"' in tag
        assert f'id="{words}"' in html


def test_the_chart_caption_names_infusion_lines_only_when_there_are_some(owner_client, patient):
    add_draw(patient, DAY0, ferritin=42)
    add_draw(patient, DAY0 + datetime.timedelta(weeks=6), ferritin=35)
    assert "Black vertical lines" not in page(owner_client, patient)
    services.save_record(Infusion(patient=patient, given_on=DAY0 + datetime.timedelta(weeks=8)))
    assert "Black vertical lines: infusions" in page(owner_client, patient)
