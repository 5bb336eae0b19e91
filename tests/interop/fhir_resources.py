"""FHIR resources and bundles as the import tests build them: each test names only what it
is about and takes the rest from here."""

import json

from rlsapp.interop.fhir_export import ONSET_CODE_TEXT, SYMPTOM_CODE_TEXT

FERRITIN_LOINC = "2276-4"


def bundle(*resources):
    """A collection Bundle of `resources`, as the bytes of a file."""
    return json.dumps(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": r} for r in resources],
        }
    ).encode()


def observation(code=FERRITIN_LOINC, **fields):
    """A final lab Observation (ferritin unless `code` is another LOINC code) of 1 January
    2024, with no value unless `fields` give one."""
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "effectiveDateTime": "2024-01-01",
    } | fields


def symptom(onset_time, **fields):
    """A symptom score of 5 on 1 January 2024, as rlsapp exports it, with its onset time."""
    return {
        "resourceType": "Observation",
        "code": {"text": SYMPTOM_CODE_TEXT},
        "effectiveDateTime": "2024-01-01",
        "valueInteger": 5,
        "component": [{"code": {"text": ONSET_CODE_TEXT}, "valueTime": onset_time}],
    } | fields


def given_iron(name, dose=500, unit="mg", route="intravenous", **fields):
    """A completed MedicationAdministration of the iron `name` on 1 January 2024;
    `route=None` leaves the route out."""
    dosage = {"dose": {"value": dose, "unit": unit}}
    if route:
        dosage["route"] = {"text": route}
    return {
        "resourceType": "MedicationAdministration",
        "status": "completed",
        "medicationCodeableConcept": {"text": name},
        "effectiveDateTime": "2024-01-01",
        "dosage": dosage,
    } | fields
