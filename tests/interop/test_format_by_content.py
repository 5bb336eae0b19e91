"""The content decides the format, not the file's name (issue 18 item 4)."""

import pytest

from rlsapp.tracking.models import LabResult

from .helpers import data_file, post_file, preview

pytestmark = pytest.mark.django_db


def test_a_fhir_bundle_named_csv_is_read_as_fhir_and_the_preview_says_so(owner_client, patient):
    url, page = preview(owner_client, patient, "portal.csv", data_file("fhir_bundle_named_csv.csv"))
    assert "Read as a FHIR Bundle" in page
    assert "named .csv but holds JSON" in page
    owner_client.post(url, {"action": "confirm"})
    ferritin = LabResult.objects.get(draw__patient=patient, analyte="ferritin")
    assert (str(ferritin.draw.drawn_on), ferritin.value) == ("2023-04-03", 22.0)


def test_a_csv_named_json_is_read_as_csv_and_the_preview_says_so(owner_client, patient):
    url, page = preview(owner_client, patient, "export.json", data_file("csv_named_json.json"))
    assert "Read as one row per draw" in page
    assert "named .json but holds no JSON" in page
    owner_client.post(url, {"action": "confirm"})
    assert LabResult.objects.filter(draw__patient=patient, analyte="ferritin").count() == 2


def test_json_that_is_no_bundle_in_a_csv_file_gets_the_fhir_reason(owner_client, patient):
    response = post_file(owner_client, patient, "data.csv", b'{"resourceType": "Patient"}')
    page = response.content.decode()
    assert response.status_code == 200
    assert "named .csv but holds JSON" in page
    assert "No date column found" not in page


def test_how_the_upload_was_read_is_still_said_after_the_dates_are_read_again(
    owner_client, patient
):
    content = "Date,Ferritin (µg/L)\n03.04.2023,48\n05.06.2023,41\n".encode("utf-16")
    url, page = preview(owner_client, patient, "export.json", content)
    assert "named .json but holds no JSON" in page and "UTF-16" in page
    owner_client.post(url, {"action": "date_order", "date_order": "mdy"})
    page = owner_client.get(url).content.decode()
    assert "Dates were read month first" in page
    assert "named .json but holds no JSON" in page and "UTF-16" in page
    assert page.count("named .json but holds no JSON") == 1
