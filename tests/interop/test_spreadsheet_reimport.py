"""Importing the regional spreadsheet export again doubles nothing (issue 18: re-imports)."""

import pytest
from django.urls import reverse

from rlsapp.tracking.models import LabResult

from .helpers import preview_url, upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "region, day, order", [("DE", "03.04.2024", "auto"), ("US", "4/3/2024", "mdy")]
)
def test_the_spreadsheet_export_imported_again_is_all_already_saved(
    owner_client, owner, patient, region, day, order
):
    # The export writes each value to the region's precision: phosphate 0,9 mmol/L (2.787
    # mg/dL) as '2,79' and ferritin 45 pmol/L (20.03 µg/L) as '20,03'; read back, neither
    # equalled the saved value, so each came in again as a second result for the day.
    owner.region = region
    owner.save()
    typed = {"drawn_on": day, "lab_name": "Lab", "note": "", "ferritin": "45 pmol/L"}
    typed["phosphate"] = "0,9 mmol/L" if region == "DE" else "0.9 mmol/L"
    response = owner_client.post(reverse("draw_create", args=[patient.pk]), typed)
    assert response.status_code == 302, response.context["form"].errors
    sheet = owner_client.get(reverse("patient_export_spreadsheet", args=[patient.pk])).content
    url = preview_url(
        owner_client.post(
            reverse("patient_import", args=[patient.pk]),
            {"file": upload("sheet.csv", sheet), "date_order": order},
        )
    )
    page = owner_client.get(url).content.decode()
    assert "Already saved, will be skipped: 2 (2 results" in page
    owner_client.post(url, {"action": "confirm"})
    assert LabResult.objects.count() == 2
