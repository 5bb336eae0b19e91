"""The import preview states the file's number convention, lets the person change it,
and lists the values it reads differently, before anything is saved (issue 11)."""

import pytest
from django.urls import reverse

from rlsapp.tracking.models import LabResult

from .helpers import upload

pytestmark = pytest.mark.django_db


def start(client, patient, content):
    response = client.post(
        reverse("patient_import", args=[patient.pk]), {"file": upload("labs.csv", content)}
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    return response["Location"]


def test_a_file_nothing_decides_asks_and_cannot_be_imported_until_answered(owner_client, patient):
    preview = start(owner_client, patient, b'Date,Ferritin (ug/L)\n2024-01-02,"1,050"\n')
    html = owner_client.get(preview).content.decode()
    assert "Which way are the numbers written?" in html
    assert "“1,050” is 1050" in html and "1.05 with a decimal comma" in html
    refused = owner_client.post(preview, {"action": "confirm"}, follow=True)
    assert "Choose how the numbers are written before importing." in refused.content.decode()
    assert not LabResult.objects.exists()
    owner_client.post(preview, {"action": "number_convention", "number_convention": "comma"})
    html = owner_client.get(preview).content.decode()
    assert "Numbers were read with a decimal comma." in html
    assert owner_client.post(preview, {"action": "confirm"}).status_code == 302
    assert LabResult.objects.get().value == pytest.approx(1.05)


def test_a_detected_convention_is_stated_and_changeable(owner_client, owner, patient):
    owner.region = "US"
    owner.save()
    preview = start(
        owner_client, patient, "Datum;Ferritin (µg/l)\n02.01.2024;1.050\n03.02.2024;12,5\n".encode()
    )
    html = owner_client.get(preview).content.decode()
    assert "Numbers were read with a decimal comma." in html
    assert "Read the numbers this way" in html
    assert owner_client.post(preview, {"action": "confirm"}).status_code == 302
    assert sorted(LabResult.objects.values_list("value", flat=True)) == [12.5, 1050]


def test_unusual_values_are_listed_before_importing(owner_client, patient):
    preview = start(owner_client, patient, b"Date,Ferritin (ug/L)\n2024-01-02,5000\n")
    html = owner_client.get(preview).content.decode()
    assert "Values to check against the file" in html
    assert "outside the usual 5–1500 µg/L" in html


def test_the_preview_shows_values_and_dates_the_accounts_way(owner_client, owner, patient):
    owner.region = "DE"
    owner.save()
    preview = start(owner_client, patient, b"Datum;Hb (g/dl)\n02.01.2024;13,1\n")
    html = owner_client.get(preview).content.decode()
    assert "02.01.2024" in html
    assert "Hemoglobin 13,1 g/dL" in html and "as entered" not in html
