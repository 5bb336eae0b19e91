"""The person page: its charts section says in words what the charts hold without working
out any fit (the estimate's details and each infusion's numbers are on the charts page)."""

from django.urls import reverse

from rlsapp.domain import estimate, trend
from rlsapp.tracking.models import Infusion

from .helpers import DAY0, add_draw, week


def page(client, patient, name="patient_detail"):
    response = client.get(reverse(name, args=[patient.pk]))
    assert response.status_code == 200
    return response.content.decode()


def refuse_fits(monkeypatch):
    """Any decline estimate worked out from here on fails the request (the records above
    were saved with theirs: saving schedules the re-check)."""

    def refuse(*args, **kwargs):
        raise AssertionError("the person page worked out an estimate")

    for module, name in [(estimate, "estimate"), (estimate, "estimate_each"), (trend, "Trend")]:
        if hasattr(module, name):
            monkeypatch.setattr(module, name, refuse)


def test_the_person_page_says_what_the_charts_hold_without_a_fit(owner_client, earley, monkeypatch):
    refuse_fits(monkeypatch)
    html = page(owner_client, earley)

    summary = html[html.index('id="history-summary"') : html.index('id="overlay-heading"')]
    assert "6 ferritin results from 15 Dec 2023 to 22 Apr 2024, the latest 324.4 µg/L" in summary
    assert reverse("patient_charts", args=[earley.pk]) in summary
    assert reverse("patient_chart_table", args=[earley.pk]) in summary
    # A toggle for each blood test that has results, none for one without.
    assert 'id="toggle-hemoglobin"' in html and 'id="toggle-tsat"' in html
    assert 'id="toggle-hematocrit"' not in html
    assert 'id="toggle-symptoms"' in html
    assert 'id="overlay-chart"' in html and 'id="infusion-kinetics"' not in html


def test_the_charts_page_has_what_the_person_page_leaves_out(owner_client, earley):
    html = page(owner_client, earley, "patient_charts")

    assert 'id="infusion-kinetics"' in html and "model: linear fit" in html
    # Printed, the page still says whose it is (the breadcrumb is not printed).
    assert f'<h1 class="h3">{earley.name}: charts and numbers</h1>' in html
    assert 'id="history-chart"' in html and 'id="overlay-chart"' in html
    assert reverse("patient_detail", args=[earley.pk]) in html  # the way back


def test_whether_an_infusion_has_enough_results_is_left_to_the_chart_data(
    owner_client, patient, monkeypatch
):
    Infusion.objects.create(patient=patient, given_on=DAY0, dose_mg=1000)
    add_draw(patient, week(2), ferritin=500)
    refuse_fits(monkeypatch)

    html = page(owner_client, patient)

    # The note is there, hidden; patient_charts.js shows it when the data says so.
    assert "overlay-empty d-none" in html and 'id="overlay-chart"' in html


def test_one_ferritin_result_is_named_and_no_infusion_said_plainly(
    owner_client, patient, monkeypatch
):
    add_draw(patient, DAY0, ferritin=42, comparator="<")
    refuse_fits(monkeypatch)

    html = page(owner_client, patient)

    assert "One ferritin result so far</strong> (&lt;42 µg/L on 1 Jan 2024)" in html
    assert "No infusions recorded." in html and 'id="overlay-chart"' not in html


def test_the_charts_page_names_a_single_result_without_a_date_range(owner_client, patient):
    Infusion.objects.create(patient=patient, given_on=DAY0, dose_mg=1000)
    add_draw(patient, week(9), ferritin=240)

    html = page(owner_client, patient, "patient_charts")

    summary = html[html.index('id="history-summary"') : html.index('id="overlay-heading"')]
    assert "In words: one ferritin result, 240 µg/L on 4 Mar 2024" in summary
    assert " to 4 Mar 2024" not in summary


def test_the_charts_page_says_once_that_no_infusion_is_recorded(owner_client, patient):
    add_draw(patient, DAY0, ferritin=40)
    add_draw(patient, week(6), ferritin=35)

    html = page(owner_client, patient, "patient_charts")

    assert html.count("No infusions recorded") == 1
    assert reverse("infusion_create", args=[patient.pk]) in html
    assert "Infusions compared" not in html


def test_the_report_names_a_single_result_without_a_date_range(owner_client, patient):
    """It said '1 ferritin result from 4 Mar 2024 to 4 Mar 2024', as the charts page once did."""
    Infusion.objects.create(patient=patient, given_on=DAY0, dose_mg=1000)
    add_draw(patient, week(9), ferritin=240)

    html = page(owner_client, patient, "patient_report")

    summary = html[html.index('id="history-summary"') :]
    summary = summary[: summary.index("</p>")]
    assert "In words: one ferritin result, 240 µg/L on 4 Mar 2024" in summary
    assert " to 4 Mar 2024" not in summary
