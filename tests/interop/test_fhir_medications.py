"""Oral iron courses and RLS medicines in the FHIR export, and back in through the import."""

import datetime
import io
import json
import zipfile

import pytest
from django.urls import reverse
from fhir.resources.R4B import get_fhir_model_class

from rlsapp.interop import fhir_medications
from rlsapp.interop.fhir_parse import parse_bundle
from rlsapp.tracking import services
from rlsapp.tracking.models import Patient
from rlsapp.tracking.treatments import Medication, MedicationEvent, OralIronCourse
from tests.conftest import PASSWORD
from tests.reminders.helpers import add_medicine

from .fhir_resources import bundle
from .helpers import upload
from .test_round_trip import import_file

D = datetime.date
COURSE_FIELDS = [f.name for f in OralIronCourse._meta.concrete_fields]
MEDICINE_FIELDS = [f.name for f in Medication._meta.concrete_fields]
EVENT_FIELDS = [f.name for f in MedicationEvent._meta.concrete_fields]
NOT_CARRIED = {"id", "patient", "created", "version", "medication"}


def treat(patient):
    """Every field used: three courses (daily with vitamin C and a stop reason, every other
    day and ongoing, an 'other' product and schedule) and two medicines with events."""
    for course in [
        OralIronCourse(
            product="ferrous_sulfate",
            elemental_mg=65,
            schedule="daily",
            with_vitamin_c=True,
            started_on=D(2023, 2, 1),
            ended_on=D(2023, 4, 30),
            stop_reason="constipation",
            notes="with orange juice",
        ),
        OralIronCourse(
            product="ferrous_bisglycinate",
            elemental_mg=28,
            schedule="alternate",
            started_on=D(2024, 1, 10),
        ),
        OralIronCourse(
            product="other",
            product_other="Iron drops (Floradix)",
            elemental_mg=7.5,
            schedule="other",
            schedule_other="twice a week",
            started_on=D(2022, 6, 1),
            ended_on=D(2022, 8, 1),
        ),
    ]:
        course.patient = patient
        services.save_treatment(course)
    agonist = add_medicine(
        patient,
        D(2021, 3, 1),
        dose=0.125,
        stop=D(2023, 5, 20),
        stop_reason="augmentation",
        notes="taken at 8 pm",
    )
    for event in [
        MedicationEvent(happened_on=D(2021, 9, 1), kind="dose_change", dose=0.25),
        MedicationEvent(
            happened_on=D(2022, 11, 3), kind="augmentation", note="symptoms from 3 pm, arms too"
        ),
        MedicationEvent(happened_on=D(2023, 1, 5), kind="dose_change", dose=0.5, note="briefly"),
        MedicationEvent(happened_on=D(2023, 2, 1), kind="side_effect", note="nausea"),
    ]:
        event.medication = agonist
        services.save_treatment(event)
    add_medicine(patient, D(2023, 5, 21), "gabapentin_enacarbil", 600)
    add_medicine(patient, D(2020, 1, 1), "rotigotine", 2, D(2020, 2, 1), dose_unit="mg/24h")


def bundle_of(client, patient):
    response = client.get(reverse("patient_export_fhir", args=[patient.pk]))
    return json.loads(response.content)


def statements(bundle):
    return [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "MedicationStatement"
    ]


def test_every_statement_validates(owner_client, patient):
    treat(patient)
    bundle = bundle_of(owner_client, patient)
    # fhir.resources models R4B, not R4; see fhir_export's docstring.
    get_fhir_model_class("Bundle").model_validate(bundle)
    found = statements(bundle)
    assert len(found) == 6
    for resource in found:
        get_fhir_model_class("MedicationStatement").model_validate(resource)


def test_rxnorm_codes_where_known(owner_client, patient):
    services.save_treatment(
        Medication(patient=patient, drug="gabapentin", dose=900, started_on=D(2024, 1, 1))
    )
    services.save_treatment(
        Medication(patient=patient, drug="ropinirole", dose=1, started_on=D(2024, 1, 1))
    )
    by_text = {
        s["medicationCodeableConcept"]["text"]: s["medicationCodeableConcept"]
        for s in statements(bundle_of(owner_client, patient))
    }
    gabapentin = by_text["Gabapentin (Neurontin)"]["coding"][0]
    assert gabapentin == {
        "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
        "code": "25480",
        "display": "Gabapentin (Neurontin)",
    }
    assert "coding" not in by_text["Ropinirole (Requip)"]  # no code rlsapp has checked


def test_a_course_reads_as_oral_elemental_iron_on_its_schedule(owner_client, patient):
    treat(patient)
    course = next(
        s
        for s in statements(bundle_of(owner_client, patient))
        if s["medicationCodeableConcept"]["text"] == "Ferrous sulfate"
    )
    assert course["status"] == "completed"
    assert course["category"]["text"] == "Oral iron course"
    assert course["effectivePeriod"] == {"start": "2023-02-01", "end": "2023-04-30"}
    dosage = course["dosage"][0]
    assert dosage["route"]["coding"][0]["code"] == "26643006"
    assert dosage["timing"]["repeat"] == {"frequency": 1, "period": 1, "periodUnit": "d"}
    assert dosage["doseAndRate"][0]["doseQuantity"]["value"] == 65
    assert dosage["additionalInstruction"] == [{"text": "With vitamin C"}]
    assert course["statusReason"] == [{"text": "constipation"}]


def test_a_medicine_carries_its_dose_periods_and_dated_events(owner_client, patient):
    treat(patient)
    agonist = next(
        s
        for s in statements(bundle_of(owner_client, patient))
        if s["medicationCodeableConcept"]["text"].startswith("Pramipexole")
    )
    bounds = [d["timing"]["repeat"]["boundsPeriod"] for d in agonist["dosage"]]
    assert bounds == [
        {"start": "2021-03-01", "end": "2021-09-01"},
        {"start": "2021-09-01", "end": "2023-01-05"},
        {"start": "2023-01-05", "end": "2023-05-20"},
    ]
    assert [d["doseAndRate"][0]["doseQuantity"]["value"] for d in agonist["dosage"]] == [
        0.125,
        0.25,
        0.5,
    ]
    assert {"time": "2022-11-03", "text": "Augmentation: symptoms from 3 pm, arms too"} in (
        agonist["note"]
    )


def fields(obj, names):
    return {n: getattr(obj, n) for n in names if n not in NOT_CARRIED}


def everything(patient):
    return (
        sorted(
            (fields(c, COURSE_FIELDS) for c in patient.oral_iron_courses.all()),
            key=lambda c: c["started_on"],
        ),
        sorted(
            (
                (
                    fields(m, MEDICINE_FIELDS),
                    [fields(e, EVENT_FIELDS) for e in m.events.order_by("happened_on")],
                )
                for m in patient.medications.all()
            ),
            key=lambda m: m[0]["started_on"],
        ),
    )


def test_a_round_trip_into_a_new_person_keeps_every_field(owner_client, owner, patient):
    treat(patient)
    first = owner_client.get(reverse("patient_export_fhir", args=[patient.pk])).content
    copy = Patient.objects.create(owner=owner, name="Copy")
    import_file(owner_client, copy, "export.fhir.json", first)
    assert everything(copy) == everything(patient)
    courses, medicines = everything(copy)
    assert len(courses) == 3 and len(medicines) == 3 and len(medicines[1][1]) == 4
    # and importing again adds nothing
    import_file(owner_client, copy, "export.fhir.json", first)
    assert OralIronCourse.objects.filter(patient=copy).count() == 3
    assert Medication.objects.filter(patient=copy).count() == 3


def test_an_imported_course_overlapping_a_saved_one_is_refused(owner_client, owner, patient):
    treat(patient)
    first = owner_client.get(reverse("patient_export_fhir", args=[patient.pk])).content
    copy = Patient.objects.create(owner=owner, name="Copy")
    services.save_treatment(
        OralIronCourse(
            patient=copy, product="ferrous_bisglycinate", elemental_mg=25, started_on=D(2023, 12, 1)
        )
    )
    response = owner_client.post(
        reverse("patient_import", args=[copy.pk]),
        {"file": upload("export.fhir.json", first)},
    )
    preview = owner_client.get(response["Location"]).content.decode()
    assert "courses of the same product may not overlap: not imported" in preview
    assert "not imported</span>" in preview
    owner_client.post(response["Location"], {"action": "confirm"})
    assert OralIronCourse.objects.filter(patient=copy).count() == 3  # 1 saved + 2 imported
    assert Medication.objects.filter(patient=copy).count() == 3


def statement(**overrides):
    return {
        "resourceType": "MedicationStatement",
        "status": "active",
        "medicationCodeableConcept": {"text": "Pregabalin"},
        "effectivePeriod": {"start": "2024-01-01"},
        "dosage": [{"doseAndRate": [{"doseQuantity": {"value": 150, "unit": "mg"}}]}],
    } | overrides


def test_another_apps_statement_of_a_listed_medicine_is_read():
    parsed = parse_bundle(bundle(statement()), today=D(2025, 1, 1))
    assert [(m.drug, m.dose, m.dose_unit) for m in parsed.medicines] == [("pregabalin", 150, "mg")]
    assert not parsed.errors and not parsed.infusions


def test_a_dose_out_of_range_is_an_entry_error_naming_the_field():
    dose = [{"doseAndRate": [{"doseQuantity": {"value": 15000, "unit": "mg"}}]}]
    parsed = parse_bundle(bundle(statement(dosage=dose)), today=D(2025, 1, 1))
    assert not parsed.medicines
    [error] = parsed.errors
    assert error.column == "MedicationStatement.dosage.doseAndRate"
    assert "accepted for Pregabalin (Lyrica): 25–600 mg per day" in error.message


def test_an_end_before_the_start_is_an_entry_error():
    period = {"start": "2024-03-01", "end": "2024-02-01"}
    parsed = parse_bundle(bundle(statement(effectivePeriod=period)), today=D(2025, 1, 1))
    assert parsed.errors[0].column == "MedicationStatement.effectivePeriod.end"


def test_oral_ferrous_sulfate_from_another_app_is_a_course_not_an_infusion():
    oral = statement(
        medicationCodeableConcept={"text": "Ferrous sulfate"},
        dosage=[
            {
                "route": {"text": "Oral"},
                "timing": {"repeat": {"frequency": 1, "period": 2, "periodUnit": "d"}},
                "doseAndRate": [{"doseQuantity": {"value": 65, "unit": "mg"}}],
            }
        ],
    )
    parsed = parse_bundle(bundle(oral), today=D(2025, 1, 1))
    [course] = parsed.courses
    assert (course.product, course.schedule, course.elemental_mg) == (
        "ferrous_sulfate",
        "alternate",
        65,
    )
    assert not parsed.infusions


def test_an_iv_iron_statement_is_still_an_infusion():
    iv = statement(
        medicationCodeableConcept={"text": "Ferric carboxymaltose"},
        dosage=[
            {
                "route": {"text": "Intravenous"},
                "doseAndRate": [{"doseQuantity": {"value": 750, "unit": "mg"}}],
            }
        ],
    )
    parsed = parse_bundle(bundle(iv), today=D(2025, 1, 1))
    assert fhir_medications.kind_of(json.loads(bundle(iv))["entry"][0]["resource"]) is None
    assert len(parsed.infusions) == 1 and not parsed.courses


@pytest.mark.parametrize("url_name", ["patient_export_fhir", "account_export"])
def test_the_outsiders_treatments_never_appear(outsider_client, outsider, patient, url_name):
    treat(patient)
    args = [patient.pk] if url_name == "patient_export_fhir" else []
    response = outsider_client.get(reverse(url_name, args=args))
    assert b"Pramipexole" not in response.content


def test_the_account_zip_holds_each_persons_treatments(owner_client, patient):
    treat(patient)
    response = owner_client.get(reverse("account_export"))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    [name] = [n for n in archive.namelist() if n.endswith("fhir-bundle.json")]
    assert len(statements(json.loads(archive.read(name)))) == 6
    assert "oral iron courses and RLS medicines" in archive.read("README.txt").decode()


def test_account_deletion_removes_treatments_and_their_history(owner_client, patient, outsider):
    treat(patient)
    theirs = Patient.objects.create(owner=outsider, name="Charlie")
    treat(theirs)
    response = owner_client.post(reverse("account_delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    for model in (OralIronCourse, Medication, MedicationEvent):
        assert not model.objects.exclude(patient=theirs).exists()
        assert not model.history.exclude(patient_id=theirs.pk).exists()
        assert model.objects.filter(patient=theirs).exists()


ODD_VALUES = [None, 0, 5, True, 1.5, "x", [], [1], ["x"], [{}], {}, {"a": 1}, [{"a": []}]]
FIELDS = ["medicationCodeableConcept", "effectivePeriod", "dosage", "note", "statusReason"]


@pytest.mark.parametrize("category", ["Oral iron course", "RLS medicine", None])
@pytest.mark.parametrize("field", FIELDS)
def test_malformed_statements_are_entry_errors_never_crashes(category, field):
    for value in ODD_VALUES:
        resource = statement(**{field: value})  # a valid statement with one field replaced
        if category:
            resource["category"] = {"text": category}
        parsed = parse_bundle(bundle(resource), today=D(2025, 1, 1))
        kept = len(parsed.courses) + len(parsed.medicines) + len(parsed.infusions)
        assert kept + len(parsed.errors) + sum(parsed.skipped.values()) == 1, value
