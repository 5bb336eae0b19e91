"""Export a patient, import the file into a new patient, export again: the same content."""

import json

import pytest
from django.urls import reverse

from rlsapp.tracking.models import Patient

from .helpers import upload
from .records import fill

pytestmark = pytest.mark.django_db


def import_file(client, patient, name, content):
    response = client.post(
        reverse("patient_import", args=[patient.pk]), {"file": upload(name, content)}
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    preview = client.get(response["Location"]).content.decode()
    assert "Errors" not in preview
    assert client.post(response["Location"], {"action": "confirm"}).status_code == 302


def comparable(bundle):
    """The bundle without identifiers, which differ between two patients by design."""
    entries = []
    for entry in bundle["entry"]:
        resource = dict(entry["resource"])
        if resource["resourceType"] == "Patient":
            continue
        resource.pop("subject")
        entries.append(resource)
    return entries


def test_a_fhir_export_reimported_exports_the_same_content(owner_client, owner, patient):
    fill(patient)
    first = owner_client.get(reverse("patient_export_fhir", args=[patient.pk]))
    copy = Patient.objects.create(owner=owner, name="Copy")
    import_file(owner_client, copy, "export.fhir.json", first.content)
    second = owner_client.get(reverse("patient_export_fhir", args=[copy.pk]))
    one, two = comparable(json.loads(first.content)), comparable(json.loads(second.content))
    assert len(one) == 13
    assert one == two


def test_a_csv_export_reimported_exports_identical_bytes(owner_client, owner, patient):
    fill(patient)
    first = owner_client.get(reverse("patient_export_csv", args=[patient.pk])).content
    copy = Patient.objects.create(owner=owner, name="Copy")
    import_file(owner_client, copy, "export.csv", first)
    second = owner_client.get(reverse("patient_export_csv", args=[copy.pk])).content
    assert first.count(b"\r\n") == 1 + 9 + 2 + 2
    assert first == second


def test_reimporting_an_export_into_the_same_patient_adds_nothing(owner_client, patient):
    fill(patient)
    for url_name, name in (("patient_export_csv", "e.csv"), ("patient_export_fhir", "e.json")):
        content = owner_client.get(reverse(url_name, args=[patient.pk])).content
        response = owner_client.post(
            reverse("patient_import", args=[patient.pk]), {"file": upload(name, content)}
        )
        page = owner_client.get(response["Location"]).content.decode()
        assert "Already saved, will be skipped: 13" in page
        assert "Import 0 records" in page
