"""Export a patient, import the file into a new patient, export again: the same content."""

import datetime
import json

import pytest
from django.urls import reverse

from rlsapp.interop import fhir_export
from rlsapp.interop.csv import parse_csv
from rlsapp.interop.fhir_parse import parse_bundle
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, Patient

from .helpers import upload
from .records import add_draw, fill

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


def entered(patient):
    """Each result's day, test, value (FHIR numbers have six decimals), comparator and the
    value and unit as entered."""
    rows = LabResult.objects.filter(draw__patient=patient).values_list(
        "draw__drawn_on", "analyte", "value", "comparator", "entered_value", "entered_unit"
    )
    return sorted((day, test, round(value, 6), *rest) for day, test, value, *rest in rows)


@pytest.mark.parametrize(
    ("url_name", "name"), [("patient_export_csv", "e.csv"), ("patient_export_fhir", "e.json")]
)
def test_each_result_comes_back_as_the_lab_printed_it(owner_client, owner, patient, url_name, name):
    """'0,36' L/L, '118' g/L, '214,4' pmol/L and '<5' µg/L: the FHIR file gave them back as
    36 %, 11.8 g/dL, 95.41611 ng/mL and <5 ng/mL (the stored value in the stored unit), so
    the lab form's memory of each lab's units and the 'as entered' column changed."""
    fill(patient)
    content = owner_client.get(reverse(url_name, args=[patient.pk])).content
    copy = Patient.objects.create(owner=owner, name="Copy")
    import_file(owner_client, copy, name, content)
    assert [row[1:] for row in entered(copy)] == [row[1:] for row in entered(patient)]
    assert ("hematocrit", 36.0, "", "0,36", "L/L") in [row[1:] for row in entered(copy)]


def test_a_changed_value_is_not_shown_as_entered_otherwise(owner_client, owner, patient):
    """Another system changed the valueQuantity: the text rlsapp kept no longer reads as
    that value, so the value is taken as the valueQuantity gives it."""
    fill(patient)
    bundle = json.loads(owner_client.get(reverse("patient_export_fhir", args=[patient.pk])).content)
    [hematocrit] = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"].get("code", {}).get("text") == "Hematocrit"
    ]
    hematocrit["valueQuantity"]["value"] = 40
    copy = Patient.objects.create(owner=owner, name="Copy")
    import_file(owner_client, copy, "e.json", json.dumps(bundle).encode())
    result = LabResult.objects.get(draw__patient=copy, analyte="hematocrit")
    assert (result.value, result.entered_value, result.entered_unit) == (40, "40", "%")


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


def marked(patient):
    """On an infusion's day a baseline and a draw after the infusion, by one lab (the second
    measured a test the first did not), and a draw left out of the fits with a note."""
    day = datetime.date(2024, 3, 5)
    Infusion.objects.create(patient=patient, given_on=day, product="fcm", dose_mg=1000)
    add_draw(patient, day, lab="Quest", ferritin=("25", "µg/L"))
    after = add_draw(patient, day, lab="Quest", phosphate=("3.1", "mg/dL"))
    after.after_infusion = True
    after.save()
    ill = add_draw(patient, datetime.date(2024, 1, 9), lab="Quest", ferritin=("180", "µg/L"))
    ill.left_out_reason, ill.left_out_note = "illness", 'flu, 39 °C; "=bad" week'
    ill.save()


def draw_marks(patient):
    return sorted(
        LabDraw.objects.filter(patient=patient).values_list(
            "drawn_on", "after_infusion", "left_out_reason", "left_out_note", "results__analyte"
        )
    )


@pytest.mark.parametrize(
    ("url_name", "name"), [("patient_export_csv", "e.csv"), ("patient_export_fhir", "e.json")]
)
def test_after_infusion_and_left_out_come_back_from_an_export(
    owner_client, owner, patient, url_name, name
):
    marked(patient)
    first = owner_client.get(reverse(url_name, args=[patient.pk])).content
    copy = Patient.objects.create(owner=owner, name="Copy")
    import_file(owner_client, copy, name, first)
    assert draw_marks(copy) == draw_marks(patient)
    assert LabDraw.objects.filter(patient=copy).count() == 3  # the day's two draws stay two
    second = owner_client.get(reverse(url_name, args=[copy.pk])).content
    if name.endswith(".csv"):
        assert second == first
    else:
        assert comparable(json.loads(second)) == comparable(json.loads(first))


def test_an_unknown_mark_is_an_error_naming_the_column_and_what_is_accepted():
    data = (
        b"date,lab,test,value,unit,after infusion,left out of fits\n"
        b"2024-01-09,Quest,Ferritin,180,ug/L,maybe,\n"
        b"2024-01-10,Quest,Ferritin,170,ug/L,,sick\n"
        b"2024-01-11,Quest,Ferritin,160,ug/L,yes,Wrong Lab\n"
    )
    parsed = parse_csv(data, "auto", today=datetime.date(2024, 6, 1))
    assert [(e.row, e.column, e.message) for e in parsed.errors] == [
        (2, "after infusion", "read 'maybe'; write yes, or leave it empty (no)."),
        (
            3,
            "left out of fits",
            "read 'sick'; accepted: illness, inflammation, wrong lab, other, or empty.",
        ),
    ]
    [draw] = parsed.draws
    assert (draw.after_infusion, draw.left_out_reason) == (True, "wrong_lab")


def test_an_unknown_reason_in_a_fhir_extension_is_an_error():
    observation = {
        "resourceType": "Observation",
        "extension": [{"url": fhir_export.LEFT_OUT_URL, "valueCode": "sick"}],
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2276-4"}]},
        "effectiveDateTime": "2024-01-09",
        "valueQuantity": {"value": 40, "unit": "ng/mL", "code": "ng/mL"},
    }
    bundle = {"resourceType": "Bundle", "entry": [{"resource": observation}]}
    parsed = parse_bundle(json.dumps(bundle).encode(), today=datetime.date(2024, 6, 1))
    assert [(e.column, e.message) for e in parsed.errors] == [
        (
            "Observation.extension",
            "left out of the fits for 'sick'; accepted: illness, inflammation, wrong_lab, other.",
        )
    ]
