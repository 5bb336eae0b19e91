import csv
import datetime
import io
import json
import zipfile

import pytest
from django.urls import reverse
from fhir.resources.R4B import get_fhir_model_class
from hypothesis import assume, given
from hypothesis import strategies as st

from rlsapp.interop.csv import parse_csv, unneutralise
from rlsapp.interop.csv_export import neutralise
from rlsapp.tracking.models import Patient

from .records import add_draw, fill
from .test_fhir_medications import treat

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(patient):
    fill(patient)
    return patient


def get_bundle(client, patient):
    response = client.get(reverse("patient_export_fhir", args=[patient.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    return json.loads(response.content)


def get_csv_rows(client, patient):
    response = client.get(reverse("patient_export_csv", args=[patient.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_every_exported_fhir_resource_validates(owner_client, filled):
    # fhir.resources models R4B here; see the module docstring of fhir_export for why not R4.
    bundle = get_bundle(owner_client, filled)
    get_fhir_model_class("Bundle").model_validate(bundle)
    kinds = []
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        kinds.append(resource["resourceType"])
    assert kinds.count("Observation") == 9 + 2
    assert kinds.count("MedicationAdministration") == 2
    assert kinds.count("Patient") == 1


def test_lab_results_carry_loinc_ucum_comparator_date_and_lab(owner_client, filled):
    observations = [
        e["resource"]
        for e in get_bundle(owner_client, filled)["entry"]
        if e["resource"]["resourceType"] == "Observation"
    ]
    ferritin = observations[0]
    assert ferritin["code"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "2276-4",
        "display": "Ferritin",
    }
    assert ferritin["valueQuantity"] == {
        "value": 5,
        "comparator": "<",
        "unit": "µg/L",
        "system": "http://unitsofmeasure.org",
        "code": "ng/mL",
    }
    assert ferritin["effectiveDateTime"] == "2023-01-14"
    assert ferritin["performer"] == [{"display": "Labor Dr. Müller"}]
    hemoglobin = observations[1]
    assert hemoglobin["code"]["coding"][0]["code"] == "718-7"
    assert hemoglobin["valueQuantity"]["value"] == 11.8
    assert hemoglobin["valueQuantity"]["code"] == "g/dL"
    iron = next(o for o in observations if o["code"].get("coding", [{}])[0].get("code") == "2498-4")
    assert iron["valueQuantity"]["code"] == "ug/dL"


def test_infusions_are_intravenous_medication_administrations_in_mg(owner_client, filled):
    given = [
        e["resource"]
        for e in get_bundle(owner_client, filled)["entry"]
        if e["resource"]["resourceType"] == "MedicationAdministration"
    ]
    assert given[0]["dosage"]["route"]["coding"][0] == {
        "system": "http://snomed.info/sct",
        "code": "255560000",
        "display": "Intravenous",
    }
    assert given[0]["dosage"]["dose"] == {
        "value": 1000,
        "unit": "mg",
        "system": "http://unitsofmeasure.org",
        "code": "mg",
    }
    assert given[0]["medicationCodeableConcept"]["text"].startswith("Ferric carboxymaltose")
    assert given[1]["medicationCodeableConcept"]["text"] == "Iron polymaltose"


def test_symptom_scores_are_observations_with_a_text_code(owner_client, filled):
    scores = [
        e["resource"]
        for e in get_bundle(owner_client, filled)["entry"]
        if "coding" not in e["resource"].get("code", {"coding": 1})
    ]
    assert [s["valueInteger"] for s in scores] == [8, 2]
    assert "not the IRLS" in scores[0]["code"]["text"]
    assert scores[0]["component"][0]["valueTime"] == "20:30:00"


def test_the_csv_has_stored_and_entered_values(owner_client, filled):
    rows = get_csv_rows(owner_client, filled)
    hematocrit = next(r for r in rows if r["analyte"] == "Hematocrit")
    assert (hematocrit["value as entered"], hematocrit["unit as entered"]) == ("0,36", "L/L")
    assert (hematocrit["stored value"], hematocrit["stored unit"]) == ("36", "%")
    ferritin = next(r for r in rows if r["date"] == "2023-11-21")
    assert ferritin["stored value"] == "95.41611"
    assert [r["record"] for r in rows].count("infusion") == 2
    assert [r["record"] for r in rows].count("symptom") == 2


def test_cells_that_look_like_formulas_are_neutralised(owner_client, filled):
    rows = get_csv_rows(owner_client, filled)
    infusion = next(r for r in rows if r["record"] == "infusion")
    assert infusion["reaction"] == '\'=HYPERLINK("http://evil") flushing'
    assert infusion["note"] == "'+ second arm"
    symptom = next(r for r in rows if r["record"] == "symptom")
    assert symptom["note"] == "'-bad week @home"


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_quotes_every_formula_prefix(text):
    assert neutralise(text) == "'" + text


def test_neutralise_leaves_plain_values_alone():
    assert neutralise("<5") == "<5"
    assert neutralise("Ferritin") == "Ferritin"
    assert neutralise(None) == ""


def test_the_account_zip_holds_csv_and_fhir_for_every_patient(owner_client, filled, owner):
    other = Patient.objects.create(owner=owner, name="Bob")
    response = owner_client.get(reverse("account_export"))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {
        "README.txt",
        f"alice-{filled.pk}/records.csv",
        f"alice-{filled.pk}/fhir-bundle.json",
        f"bob-{other.pk}/records.csv",
        f"bob-{other.pk}/fhir-bundle.json",
        f"alice-{filled.pk}/settings.json",
        f"bob-{other.pk}/settings.json",
        "account.json",
    } == names
    bundle = json.loads(archive.read(f"alice-{filled.pk}/fhir-bundle.json"))
    assert len(bundle["entry"]) == 1 + 11 + 2


def test_the_account_zip_holds_only_the_users_own_patients(owner_client, filled, outsider):
    Patient.objects.create(owner=outsider, name="Charlie")
    archive = zipfile.ZipFile(io.BytesIO(owner_client.get(reverse("account_export")).content))
    assert not any(name.startswith("charlie") for name in archive.namelist())


# 7, 3 for oral iron courses, medicines and the medicines' events, and 2 for account.json's
# two-factor (one per kind of device).
QUERIES = 12


@pytest.mark.parametrize("url_name", ["patient_export_csv", "patient_export_fhir"])
def test_exports_run_a_constant_number_of_queries(
    owner_client, patient, url_name, django_assert_max_num_queries
):
    with django_assert_max_num_queries(QUERIES):
        owner_client.get(reverse(url_name, args=[patient.pk]))
    fill(patient)
    treat(patient)
    with django_assert_max_num_queries(QUERIES):
        owner_client.get(reverse(url_name, args=[patient.pk]))


def test_the_account_export_runs_a_constant_number_of_queries(
    owner_client, owner, django_assert_max_num_queries
):
    for name in ("A", "B", "C"):
        person = Patient.objects.create(owner=owner, name=name)
        fill(person)
        treat(person)
    with django_assert_max_num_queries(QUERIES):
        assert owner_client.get(reverse("account_export")).status_code == 200


@pytest.mark.parametrize(
    "url_name", ["patient_export_csv", "patient_export_fhir", "patient_import"]
)
def test_the_outsider_gets_404_on_exports_and_import(outsider_client, filled, url_name):
    url = reverse(url_name, args=[filled.pk])
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url).status_code in (404, 405)


def test_anonymous_visitors_are_sent_to_sign_in(client, filled):
    for url in (
        reverse("patient_export_csv", args=[filled.pk]),
        reverse("account_export"),
        reverse("account_delete"),
    ):
        assert client.get(url).status_code == 302


# Issue 13 item 6: spreadsheets that split on ";" (Excel in German, French, Dutch)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x;=1+1", "x;'=1+1"),
        ("x; =1+1", "x;' =1+1"),
        ("a,+b;-c\t@d", "a,'+b;'-c\t'@d"),
        ("first line\n=1+1", "first line\n'=1+1"),
        ("=1;=2", "'=1;'=2"),
    ],
)
def test_neutralise_quotes_every_part_that_would_start_a_cell(text, expected):
    assert neutralise(text) == expected


def test_neutralise_leaves_separators_before_plain_text_alone():
    assert neutralise("fasting, 8 am; after 2 h") == "fasting, 8 am; after 2 h"
    assert neutralise("12,5") == "12,5"


@given(st.text(alphabet=";,\t\r\n =+-@'ab", max_size=30))
def test_the_importer_takes_the_quotes_away_again(text):
    assume("'" not in text)
    neutral = neutralise(text)
    assert unneutralise(neutral) == text
    for separator in ";,\t\r\n":
        for part in neutral.split(separator)[1:]:
            assert not part.lstrip(" ").startswith(("=", "+", "-", "@"))


def test_every_field_of_the_csv_export_is_quoted_and_no_semicolon_part_is_a_formula(
    owner_client, patient
):
    add_draw(patient, datetime.date(2024, 1, 5), note="x;=1+1", ferritin=("40", "µg/L"))
    response = owner_client.get(reverse("patient_export_csv", args=[patient.pk]))
    text = response.content.decode("utf-8").lstrip("\ufeff")
    for line in text.splitlines():
        assert line.startswith('"') and line.endswith('"')
        # What a spreadsheet splitting each line on ";" would put in a cell of its own.
        for part in line.split(";")[1:]:
            assert not part.lstrip(' "').startswith(("=", "+", "-", "@"))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["note"] == "x;'=1+1"
    parsed = parse_csv(text.encode(), today=datetime.date(2024, 6, 1))
    assert parsed.draws[0].note == "x;=1+1"
