import datetime
import re

import pytest
from django.urls import reverse

from rlsapp.tracking.models import LabDraw, LabResult

from .helpers import draw_post


@pytest.fixture
def url(patient):
    return reverse("draw_create", args=[patient.pk])


def test_it_saves_each_result_in_the_stored_unit_and_keeps_what_the_lab_printed(
    owner_client, owner, patient, url, today
):
    owner.region = "DE"  # writes a decimal comma
    owner.save()
    data = draw_post(today, ferritin=("224,7", "pmol/L"), hemoglobin=("128", "g/L"))
    response = owner_client.post(url, data)
    assert response.status_code == 302
    results = {r.analyte: r for r in LabResult.objects.filter(draw__patient=patient)}
    assert results["ferritin"].value == pytest.approx(100)
    assert (results["ferritin"].entered_value, results["ferritin"].entered_unit) == (
        "224,7",
        "pmol/L",
    )
    assert results["hemoglobin"].value == pytest.approx(12.8)


def test_it_keeps_a_less_than_result_as_such(owner_client, patient, url, today):
    owner_client.post(url, draw_post(today, ferritin="<5"))
    result = LabResult.objects.get(draw__patient=patient)
    assert (result.comparator, result.value, result.display) == ("<", 5, "<5 µg/L")


def test_it_calculates_tsat_from_iron_and_tibc_and_says_so(owner_client, patient, url, today):
    response = owner_client.post(url, draw_post(today, iron="90", tibc="300"), follow=True)
    tsat = LabResult.objects.get(draw__patient=patient, analyte="tsat")
    assert tsat.value == pytest.approx(30)
    assert tsat.calculated
    assert "calculated from iron and TIBC" in response.content.decode()


def test_a_printed_tsat_is_not_overwritten_by_the_calculation(owner_client, patient, url, today):
    owner_client.post(url, draw_post(today, iron="90", tibc="300", tsat="28"))
    tsat = LabResult.objects.get(draw__patient=patient, analyte="tsat")
    assert (tsat.value, tsat.calculated) == (28, False)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"ferritin": "abc"}, "ferritin", "Ferritin: read “abc”: enter a number"),
        ({"ferritin": "-4"}, "ferritin", "Ferritin: read “-4”: enter a number"),
        ({"ferritin": "20000"}, "ferritin", "Ferritin must be between 0.5 and 10000 µg/L"),
        ({"hemoglobin": ("300", "g/dL")}, "hemoglobin", "Hemoglobin must be between 2 and 25"),
        ({"ferritin": ("50", "mg/dL")}, "ferritin_unit", "Select a valid choice"),
        ({"phosphate": "0"}, "phosphate", "Phosphate must be between 0.2 and 15 mg/dL"),
    ],
)
def test_it_refuses_bad_values_naming_the_field_and_range(
    owner_client, url, today, values, field, message
):
    response = owner_client.post(url, draw_post(today, hematocrit="40", **values))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert not LabDraw.objects.exists(), "nothing is partly saved"


def test_it_refuses_a_future_date(owner_client, url, today):
    response = owner_client.post(url, draw_post(today + datetime.timedelta(days=1), ferritin="80"))
    assert "cannot be in the future" in response.context["form"].errors["drawn_on"][0]
    assert not LabDraw.objects.exists()


def test_it_refuses_a_draw_with_no_value(owner_client, url, today):
    response = owner_client.post(url, draw_post(today))
    assert "Enter at least one result" in response.content.decode()
    assert not LabDraw.objects.exists()


def test_editing_a_draw_replaces_its_results(owner_client, patient, url, today):
    owner_client.post(url, draw_post(today, ferritin="80", hemoglobin="13"))
    draw = LabDraw.objects.get()
    edit_url = reverse("draw_edit", args=[draw.pk])
    form = owner_client.get(edit_url).context["form"]
    assert form["ferritin"].value() == "80"
    owner_client.post(
        edit_url, draw_post(today, ferritin="95") | {"version": form["version"].value()}
    )
    assert list(draw.results.values_list("analyte", "value")) == [("ferritin", 95)]


def test_the_form_shows_units_beside_each_value_and_reference_ranges_not_limits(owner_client, url):
    html = owner_client.get(url).content.decode()
    assert 'name="ferritin_unit"' in html
    assert "pmol/L" in html
    assert "Reference range 30–300 µg/L." in html
    assert "0.5–10000" not in html


def test_each_unit_choice_is_named_after_its_result(owner_client, url):
    """Seven selects were each named "Unit": a screen reader's list of the form's controls
    could not tell ferritin's from hemoglobin's."""
    html = owner_client.get(url).content.decode()
    selects = re.findall(r"<select[^>]*>", html)
    names = [re.search(r'aria-label="([^"]*)"', s) for s in selects if "_unit" in s]
    assert [n and n.group(1) for n in names] == [
        "Ferritin unit",
        "Hemoglobin unit",
        "Hematocrit unit",
        "Transferrin saturation unit",
        "Serum iron unit",
        "TIBC unit",
        "Phosphate unit",
    ]
