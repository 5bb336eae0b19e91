"""The exports stay what they were when they were made fast (orjson, uuid5 from the digest,
plain rows): a seeded history's FHIR export equals the old way of making it (json.dumps,
uuid.uuid5, model instances) byte for byte and hashes as it did before the change; the rows
the exports read carry what the models hold."""

import datetime
import hashlib
import json
import random
import re
import uuid
from types import SimpleNamespace
from unittest import mock

import pytest
from django.urls import reverse
from fhir.resources.R4B import get_fhir_model_class
from hypothesis import given
from hypothesis import strategies as st

from rlsapp.domain import units
from rlsapp.interop import as_entered, fhir_export
from rlsapp.interop.export_records import Draw, ResultRow, export_records, export_treatments
from rlsapp.tracking.models import Infusion, LabDraw, Patient, SymptomScore
from rlsapp.tracking.treatments import Medication, OralIronCourse

from .records import add_draw, fill
from .test_fhir_medications import treat

pytestmark = pytest.mark.django_db

# sha256 of the seeded history's FHIR export with every urn:uuid numbered by first
# appearance, made by the exporter before it used orjson, its own uuid5 and plain rows.
BEFORE = "7de064f6116ae6ea52d7a68c8942aa0080b3abdbaee96ac212f05e98a7ed55a6"
URN = re.compile(rb"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
LABS = ["", "Quest", "Labor Dr. Müller", "Hôpital Saint-Éloi — biochimie", 'Lab "A" \\ B']
NOTES = ["", "fasting", "after 2 days of 'flu'\nrepeat in 4 weeks", "日本語のメモ", "tab\there"]


def seeded_history(patient, seed=14):
    """Ten years of draws, infusions and scores with every optional field used somewhere."""
    rng = random.Random(seed)
    fill(patient)
    treat(patient)
    day = datetime.date(2014, 1, 6)
    codes = list(units.ANALYTES)
    for n in range(60):
        day += datetime.timedelta(days=rng.randint(20, 80))
        values = {}
        for code in rng.sample(codes, rng.randint(1, len(codes))):
            info = units.ANALYTES[code]
            unit = rng.choice(sorted(info.units))
            stored = rng.uniform(info.minimum, info.maximum / 4)  # converted: float noise
            number = round(stored / info.units[unit], rng.choice([1, 2, 3]))
            comparator = rng.choice(["", "", "", "<", ">"]) if code == "ferritin" else ""
            values[code] = (f"{comparator}{number:g}", unit)
        calculated = {"tsat"} if "tsat" in values and n % 3 else set()
        add_draw(
            patient,
            day,
            lab=rng.choice(LABS),
            note=rng.choice(NOTES),
            calculated=calculated,
            **values,
        )
        if n % 7 == 0:
            Infusion.objects.create(
                patient=patient,
                given_on=day + datetime.timedelta(days=3),
                product=rng.choice(["fcm", "derisomaltose", "sucrose", "other"]),
                product_other="Iron isomaltoside — généric",
                dose_mg=rng.choice([200, 500, 750, 1000]),
                reaction=rng.choice(["", "flushing", "rash, 20 min"]),
                notes=rng.choice(NOTES),
            )
    for n in range(200):
        SymptomScore.objects.create(
            patient=patient,
            recorded_on=datetime.date(2015, 1, 1) + datetime.timedelta(days=n * 11),
            severity=rng.randint(0, 10),
            onset_time=rng.choice([None, datetime.time(rng.randint(12, 23), rng.choice([0, 30]))]),
            note=rng.choice(NOTES),
        )


def numbered_ids(body: bytes) -> bytes:
    seen = {}
    return URN.sub(lambda m: b"urn:%d" % seen.setdefault(m.group(), len(seen)), body)


def uuid5_url(*parts):
    return f"urn:uuid:{uuid.uuid5(fhir_export._NAMESPACE, ':'.join(map(str, parts)))}"


def old_way(patient):
    """The export as it was made before: model instances, uuid.uuid5, json.dumps."""
    draws = [
        SimpleNamespace(
            pk=draw.pk,
            drawn_on=draw.drawn_on,
            lab_name=draw.lab_name,
            note=draw.note,
            after_infusion=draw.after_infusion,
            left_out_reason=draw.left_out_reason,
            left_out_note=draw.left_out_note,
            results=list(draw.results.all()),
        )
        for draw in LabDraw.objects.filter(patient=patient).with_results()
    ]
    infusions = list(Infusion.objects.filter(patient=patient))
    scores = list(SymptomScore.objects.filter(patient=patient))
    courses = list(OralIronCourse.objects.filter(patient=patient))
    medications = list(Medication.objects.filter(patient=patient).prefetch_related("events"))
    with (
        mock.patch.object(fhir_export, "_url", uuid5_url),
        mock.patch.object(
            fhir_export,
            "_urls",
            lambda kind, person, records: [uuid5_url(kind, person, r.pk) for r in records],
        ),
    ):
        bundle = fhir_export.build_bundle(
            patient, draws, infusions, scores, courses=courses, medications=medications
        )
    return json.dumps(bundle, indent=2, ensure_ascii=False).encode("utf-8")


def without_as_entered(body: bytes) -> bytes:
    """The export without the extensions carrying a result's value as entered."""
    bundle = json.loads(body)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if "extension" in resource:
            kept = [e for e in resource["extension"] if e["url"] != as_entered.ENTERED_URL]
            if kept:
                resource["extension"] = kept
            else:
                del resource["extension"]
    return json.dumps(bundle, indent=2, ensure_ascii=False).encode("utf-8")


def test_the_export_is_byte_for_byte_what_it_was(owner_client, patient):
    seeded_history(patient)
    response = owner_client.get(reverse("patient_export_fhir", args=[patient.pk]))
    assert response.status_code == 200
    body = response.content
    assert body == old_way(patient)
    # If the export's content is changed on purpose, record the new hash here. The values
    # as entered (added since, only where they differ from the valueQuantity) are left out.
    assert hashlib.sha256(numbered_ids(without_as_entered(body))).hexdigest() == BEFORE
    bundle = json.loads(body)
    get_fhir_model_class("Bundle").model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)


@given(st.lists(st.one_of(st.integers(), st.text()), min_size=1, max_size=4))
def test_entry_ids_are_uuid5_in_the_export_namespace(parts):
    name = ":".join(str(p) for p in parts)
    assert fhir_export._url(*parts) == f"urn:uuid:{uuid.uuid5(fhir_export._NAMESPACE, name)}"


@given(st.text(), st.integers(), st.lists(st.integers(min_value=1)))
def test_a_kinds_entry_ids_are_uuid5_in_the_export_namespace(kind, person, pks):
    records = [SimpleNamespace(pk=pk) for pk in pks]
    assert fhir_export._urls(kind, person, records) == [uuid5_url(kind, person, pk) for pk in pks]


def typed(values):
    """Values with their types: a row holding 1 where the model holds True is wrong."""
    return [(type(value), value) for value in values]


def test_the_rows_carry_what_the_models_hold(owner, patient):
    other = Patient.objects.create(owner=owner, name="Other")
    fill(other)
    seeded_history(patient)
    marked = LabDraw.objects.filter(patient=other).order_by("pk").first()
    marked.after_infusion, marked.left_out_reason, marked.left_out_note = True, "sick", "flu"
    marked.save()
    records = export_records([patient.pk, other.pk])
    for person in (patient, other):
        draws, infusions, scores = records[person.pk]
        models = LabDraw.objects.filter(patient=person).order_by("pk").with_results()
        assert len(draws) == len(models) > 0
        for row, draw in zip(sorted(draws), models, strict=True):
            assert typed(row[:-1]) == typed(getattr(draw, f) for f in Draw._fields[:-1])
            assert [typed(result) for result in row.results] == [
                typed(getattr(result, f) for f in ResultRow._fields)
                for result in draw.results.all()
            ]
        for rows, model in ((infusions, Infusion), (scores, SymptomScore)):
            instances = list(model.objects.filter(patient=person).order_by("pk"))
            assert len(rows) == len(instances) > 0
            for row, instance in zip(rows, instances, strict=True):
                assert typed(row) == typed(getattr(instance, f) for f in row._fields)
        assert [i.product_full_name for i in infusions] == [
            i.product_full_name for i in Infusion.objects.filter(patient=person).order_by("pk")
        ]


def test_the_treatments_carry_what_the_models_hold(owner, patient):
    other = Patient.objects.create(owner=owner, name="Other")
    treat(patient)
    treat(other)
    treatments = export_treatments([patient.pk, other.pk])
    for person in (patient, other):
        for model, key in ((OralIronCourse, "courses"), (Medication, "medications")):
            instances = list(model.objects.filter(patient=person).order_by("pk"))
            found = sorted(treatments[person.pk][key], key=lambda record: record.pk)
            assert len(found) == len(instances) > 0
            for record, instance in zip(found, instances, strict=True):
                read = [f.attname for f in model._meta.concrete_fields]
                read = [name for name in read if name not in record.get_deferred_fields()]
                assert {"id", "patient_id", "started_on", "notes"} <= set(read)
                assert typed(getattr(record, f) for f in read) == typed(
                    getattr(instance, f) for f in read
                )
                if model is Medication:
                    assert list(record.events.all()) == list(instance.events.all())


def test_an_export_costs_the_same_queries_whatever_the_history(
    owner_client, owner, patient, django_assert_max_num_queries
):
    small = Patient.objects.create(owner=owner, name="Small")
    fill(small)
    treat(small)
    seeded_history(patient)
    for person in (small, patient):
        for name in ("patient_export_fhir", "patient_export_csv"):
            # session, user, person, results with draws, infusions, scores (FHIR: oral
            # iron courses, medicines and their events), the access log's one row
            with django_assert_max_num_queries(10):
                response = owner_client.get(reverse(name, args=[person.pk]))
            assert response.status_code == 200


@pytest.mark.parametrize(
    "onset",
    [
        datetime.time(0, 0),
        datetime.time(20, 30),
        datetime.time(23, 59, 59),
        datetime.time(7, 5, 3, 250),
    ],
)
def test_an_onset_time_is_written_as_hours_minutes_and_seconds(onset):
    score = SimpleNamespace(
        recorded_on=datetime.date(2024, 1, 1), severity=5, note="", onset_time=onset
    )
    resource = fhir_export.symptom_observation(score, {"reference": "urn:uuid:x"})
    assert resource["component"][0]["valueTime"] == onset.strftime("%H:%M:%S")
