"""Pages show numbers and dates the account's region's way (issue 11 item 9)."""

import datetime

import pytest
from django.urls import reverse

from rlsapp.tracking import services
from rlsapp.tracking.models import Infusion, LabDraw, LabResult

DAY = datetime.date(2026, 10, 20)


@pytest.fixture
def history(patient):
    draw = LabDraw.objects.create(patient=patient, drawn_on=DAY, lab_name="Labor Berlin")
    for code, value, unit in [("ferritin", 1050, "µg/L"), ("hemoglobin", 13.1, "g/dL")]:
        LabResult.objects.create(
            draw=draw, analyte=code, value=value, entered_value=str(value), entered_unit=unit
        )
    services.save_record(
        Infusion(
            patient=patient, given_on=DAY - datetime.timedelta(days=60), product="fcm", dose_mg=1000
        )
    )
    return draw


@pytest.mark.parametrize(
    ("region", "texts"),
    [
        ("intl", ["2026-10-20", "1050 µg/L", "13.1 g/dL", "2026-08-21"]),
        ("DE", ["20.10.2026", "1.050 µg/L", "13,1 g/dL", "21.08.2026"]),
        ("US", ["10/20/2026", "1,050 µg/L", "13.1 g/dL", "8/21/2026"]),
    ],
)
def test_the_patient_page_and_lists_show_the_regions_format(
    owner_client, owner, patient, history, region, texts
):
    owner.region = region
    owner.save()
    for url in (patient.get_absolute_url(), reverse("draw_list", args=[patient.pk])):
        html = owner_client.get(url).content.decode()
        for text in texts[:3]:
            assert text in html, (url, text)
    html = owner_client.get(reverse("infusion_list", args=[patient.pk])).content.decode()
    assert texts[3] in html


def test_choosing_another_region_redraws_the_cached_pages(owner_client, owner, patient, history):
    url = patient.get_absolute_url()
    assert "1050 µg/L" in owner_client.get(url).content.decode()
    assert "1050 µg/L" in owner_client.get(url).content.decode()  # from the cache
    owner_client.post(
        reverse("account_settings"),
        {"first_name": "", "last_name": "", "region": "DE", "email_reminders": "on"},
    )
    assert "1.050 µg/L" in owner_client.get(url).content.decode()
