"""Results saved before regions that read differently now (issue 11 item 11)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from rlsapp.tracking.models import LabDraw, LabResult

DAY = datetime.date(2026, 10, 20)


def old_result(patient, analyte, entered, stored, unit="µg/L", lab="City Lab"):
    """Saved as the old form did: every comma a decimal point."""
    draw = LabDraw.objects.create(patient=patient, drawn_on=DAY, lab_name=lab)
    return LabResult.objects.create(
        draw=draw, analyte=analyte, value=stored, entered_value=entered, entered_unit=unit
    )


@pytest.fixture
def url():
    return reverse("stored_values_check")


def test_a_result_whose_text_reads_differently_is_listed_with_its_readings(
    owner_client, owner, patient, url
):
    owner.region = "US"
    owner.save()
    old_result(patient, "ferritin", "1,050", 1.05)
    old_result(patient, "hemoglobin", "13,1", 13.1, unit="g/dL")  # no other reading: fine
    old_result(patient, "iron", "90", 90, unit="µg/dL")
    html = owner_client.get(url).content.decode()
    assert "1,050 µg/L" in html
    assert "1.05 µg/L (as saved)" in html and ">1050 µg/L<" in html
    assert "13,1" not in html and ">90 " not in html


def test_the_owner_picks_the_reading_and_it_is_saved_with_history(
    owner_client, owner, patient, url
):
    owner.region = "US"
    owner.save()
    result = old_result(patient, "ferritin", "1,050", 1.05)
    page = owner_client.get(url)
    option = [i for i, label in page.context["rows"][0]["options"] if label.startswith("1050")]
    response = owner_client.post(
        url, {"result": result.pk, "entered": "1,050", "choice": option[0]}, follow=True
    )
    assert "saved as 1050 µg/L" in response.content.decode()
    result = LabResult.objects.get()
    assert (result.value, result.entered_value) == (1050, "1050")
    assert result.history.count() >= 2
    assert "Nothing to check" in owner_client.get(url).content.decode()


def test_keeping_the_saved_value_rewrites_the_text_so_it_is_not_listed_again(
    owner_client, owner, patient, url
):
    owner.region = "GB"
    owner.save()
    result = old_result(patient, "ferritin", "1,050", 1.05)
    owner_client.post(url, {"result": result.pk, "entered": "1,050", "choice": "0"})
    result = LabResult.objects.get()
    assert (result.value, result.entered_value) == (1.05, "1.05")
    assert "Nothing to check" in owner_client.get(url).content.decode()


def test_a_stale_or_foreign_answer_changes_nothing(
    owner_client, outsider_client, owner, patient, url
):
    owner.region = "US"
    owner.save()
    result = old_result(patient, "ferritin", "1,050", 1.05)
    assert (
        outsider_client.post(
            url, {"result": result.pk, "entered": "1,050", "choice": "1"}
        ).status_code
        == 404
    )
    owner_client.post(url, {"result": result.pk, "entered": "2,050", "choice": "1"})
    owner_client.post(url, {"result": result.pk, "entered": "1,050", "choice": "x"})
    owner_client.post(url, {"result": "abc", "entered": "1,050", "choice": "1"})
    assert LabResult.objects.get().value == 1.05


def test_the_command_counts_per_account_without_values(owner, outsider, patient):
    from rlsapp.tracking.models import Patient

    owner.region = "US"
    owner.save()
    old_result(patient, "ferritin", "1,050", 1.05)
    old_result(patient, "ferritin", "1,234", 1.234)
    old_result(patient, "ferritin", "1.500", 1.5)  # read as the US reads it: not listed
    other = Patient.objects.create(owner=outsider, name="Carl")
    old_result(other, "ferritin", "1,050", 1.05)  # intl reads 1050 too
    out = io.StringIO()
    call_command("check_entered_values", stdout=out)
    text = out.getvalue()
    assert f"account {owner.pk} (US): 2 result(s) to check" in text
    assert f"account {outsider.pk} (intl): 1 result(s) to check" in text
    assert "3 result(s) in 2 account(s)" in text
    assert "1,050" not in text and "Alice" not in text


def test_the_settings_page_links_to_the_check(owner_client):
    html = owner_client.get(reverse("account_settings")).content.decode()
    assert reverse("stored_values_check") in html


def test_a_posted_id_that_is_not_plain_digits_is_a_404_not_a_500(owner_client):
    from django.urls import reverse

    response = owner_client.post(reverse("stored_values_check"), {"result": "²", "choice": "²"})
    assert response.status_code == 404
