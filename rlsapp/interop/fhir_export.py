"""A patient's records as a FHIR R4 Bundle (pure: no Django imports).

Takes plain objects with the attributes of the tracking models (a patient, its
draws with their results as a `results` list, infusions and symptom scores; see
export_records) so it can be tested without a database. Lab results are
Observations with LOINC codes and UCUM units; infusions are
MedicationAdministrations given intravenously; symptom
scores are Observations with a text code (no standard code fits a plain 0–10
self-rating, and it must not pass for the copyrighted IRLS).

Tests validate every resource with the `fhir.resources` package. Its 8.x
releases model R5 and R4B (4.3) but not R4 (4.0.1); the last release with R4
models (6.4.0) needs pydantic 1, which cannot live beside the pydantic 2 this
project uses. The resources used here (Patient, Observation with valueQuantity,
valueInteger and components, MedicationAdministration with medication[x],
effective[x] and dosage) have the same shape in R4 and R4B, so the R4B models
check them.
"""

from __future__ import annotations

import hashlib
import uuid

import orjson

from rlsapp.domain import units

from . import as_entered, fhir_medications
from .vocab import LOINC_SYSTEM, SNOMED_INTRAVENOUS, SNOMED_SYSTEM, UCUM_SYSTEM

CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
SYMPTOM_CODE_TEXT = "RLS symptom severity, self-rated 0-10 (not the IRLS scale)"
ONSET_CODE_TEXT = "Evening symptoms began at"
CALCULATED_METHOD_TEXT = "Calculated by rlsapp from serum iron and TIBC"
REACTION_PREFIX = "Reaction: "
# What a draw carries that FHIR has no element for, as extensions on each of its lab
# Observations: other systems may ignore them; rlsapp's import reads them back. No
# definition is published at these addresses (a reserved example domain).
EXTENSION_BASE = "https://rlsapp.example/fhir/StructureDefinition/"
AFTER_INFUSION_URL = EXTENSION_BASE + "draw-after-infusion"
LEFT_OUT_URL = EXTENSION_BASE + "draw-left-out-of-fits"
LEFT_OUT_NOTE_URL = EXTENSION_BASE + "draw-left-out-note"
_NAMESPACE = uuid.UUID("7d3c3f0e-4b9a-4c4e-9a57-2f1f0d6b5a11")
_ANALYTE_ORDER = {code: n for n, code in enumerate(units.ANALYTES)}

GENDERS = {"F": "female", "M": "male"}


def fhir_number(value: float) -> float | int:
    """Stored floats carry conversion noise (12.500000000000002); six decimals is plenty."""
    rounded = round(value, 6)
    return int(rounded) if rounded == int(rounded) else rounded


_NAMESPACE_BYTES = _NAMESPACE.bytes
# uuid5's RFC 4122 variant bits over the hex digit they land in.
_VARIANT_DIGIT = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}


def _urns(names) -> list[str]:
    """urn:uuid: of uuid.uuid5(_NAMESPACE, name) for each name (bytes), written from the
    hex digest (version digit 5, variant bits set): an export names every record, and
    building UUID objects cost more than the hashes."""
    sha1, variant = hashlib.sha1, _VARIANT_DIGIT
    return [
        f"urn:uuid:{h[:8]}-{h[8:12]}-5{h[13:16]}-{variant[h[16]]}{h[17:20]}-{h[20:32]}"
        for h in [sha1(_NAMESPACE_BYTES + name).hexdigest() for name in names]
    ]


def _url(*parts) -> str:
    """urn:uuid: of uuid.uuid5(_NAMESPACE, 'part:part')."""
    return _urns([":".join(map(str, parts)).encode("utf-8")])[0]


def _urls(kind: str, person, records) -> list[str]:
    """_url(kind, person, record.pk) of each record (its pk an int)."""
    prefix = f"{kind}:{person}:".encode()
    return _urns([b"%b%d" % (prefix, record.pk) for record in records])


def to_json(bundle: dict) -> bytes:
    """The bundle as UTF-8 JSON indented by two spaces: the bytes json.dumps(bundle,
    indent=2, ensure_ascii=False) gives, from orjson's encoder (json's pure-Python
    indenting encoder was most of an export's time)."""
    return orjson.dumps(bundle, option=orjson.OPT_INDENT_2)


def _category(code: str, display: str) -> list[dict]:
    return [{"coding": [{"system": CATEGORY_SYSTEM, "code": code, "display": display}]}]


# The parts every resource of a kind repeats, built once and shared by the entries of a
# bundle (a bundle is written out, never edited).
_LABORATORY = _category("laboratory", "Laboratory")
_SURVEY = _category("survey", "Survey")
_ANALYTE_CODES = {
    code: {
        "coding": [{"system": LOINC_SYSTEM, "code": info.loinc, "display": info.label}],
        "text": info.label,
    }
    for code, info in units.ANALYTES.items()
}
_ANALYTE_UNITS = {
    code: {"unit": info.display_unit, "system": UCUM_SYSTEM, "code": info.unit}
    for code, info in units.ANALYTES.items()
}
_CALCULATED = {"text": CALCULATED_METHOD_TEXT}
_SYMPTOM_CODE = {"text": SYMPTOM_CODE_TEXT}
_ONSET_CODE = {"text": ONSET_CODE_TEXT}


def patient_resource(patient) -> dict:
    resource = {"resourceType": "Patient", "name": [{"text": patient.name}]}
    resource["gender"] = GENDERS.get(patient.sex, "unknown")
    if patient.birth_date:
        resource["birthDate"] = patient.birth_date.isoformat()
    return resource


def lab_observations(draw, results, subject: dict) -> list[dict]:
    """Results of a draw as Observations. What the draw gives each of them (marks, date,
    lab, note) is built once and shared: a bundle is written out, never edited."""
    head = {"resourceType": "Observation"}
    marks = _draw_marks(draw)
    if marks:
        head["extension"] = marks
    head |= {"status": "final", "category": _LABORATORY}
    day = draw.drawn_on.isoformat()
    performer = [{"display": draw.lab_name}] if draw.lab_name else None
    note = [{"text": draw.note}] if draw.note else None
    observations = []
    for result in results:
        value = fhir_number(result.value)
        quantity = {"value": value}
        if result.comparator:
            quantity["comparator"] = result.comparator
        quantity |= _ANALYTE_UNITS[result.analyte]
        resource = head | {
            "code": _ANALYTE_CODES[result.analyte],
            "subject": subject,
            "effectiveDateTime": day,
        }
        if performer:
            resource["performer"] = performer
        resource["valueQuantity"] = quantity
        if result.calculated:
            resource["method"] = _CALCULATED
        if note:
            resource["note"] = note
        entered = as_entered.extension(result, value)
        if entered is not None:
            resource["extension"] = [*marks, entered]
        observations.append(resource)
    return observations


def _draw_marks(draw) -> list[dict]:
    marks = []
    if draw.after_infusion:
        marks.append({"url": AFTER_INFUSION_URL, "valueBoolean": True})
    if draw.left_out_reason:
        marks.append({"url": LEFT_OUT_URL, "valueCode": draw.left_out_reason})
        if draw.left_out_note:
            marks.append({"url": LEFT_OUT_NOTE_URL, "valueString": draw.left_out_note})
    return marks


def medication_administration(infusion, subject: dict) -> dict:
    resource = {
        "resourceType": "MedicationAdministration",
        "status": "completed",
        "medicationCodeableConcept": {"text": infusion.product_full_name},
        "subject": subject,
        "effectiveDateTime": infusion.given_on.isoformat(),
    }
    notes = []
    if infusion.reaction:
        notes.append({"text": REACTION_PREFIX + infusion.reaction})
    if infusion.notes:
        notes.append({"text": infusion.notes})
    if notes:
        resource["note"] = notes
    resource["dosage"] = {
        "route": {
            "coding": [
                {"system": SNOMED_SYSTEM, "code": SNOMED_INTRAVENOUS, "display": "Intravenous"}
            ],
            "text": "Intravenous",
        },
        "dose": {"value": infusion.dose_mg, "unit": "mg", "system": UCUM_SYSTEM, "code": "mg"},
    }
    return resource


def symptom_observation(score, subject: dict) -> dict:
    resource = {
        "resourceType": "Observation",
        "status": "final",
        "category": _SURVEY,
        "code": _SYMPTOM_CODE,
        "subject": subject,
        "effectiveDateTime": score.recorded_on.isoformat(),
        "valueInteger": score.severity,
    }
    if score.note:
        resource["note"] = [{"text": score.note}]
    onset = score.onset_time
    if onset:
        # HH:MM:SS, as strftime("%H:%M:%S") writes it; isoformat is the cheaper call.
        onset = (onset.replace(microsecond=0) if onset.microsecond else onset).isoformat()
        resource["component"] = [{"code": _ONSET_CODE, "valueTime": onset}]
    return resource


def build_bundle(patient, draws, infusions, symptom_scores, courses=(), medications=()) -> dict:
    """A `collection` Bundle: the Patient, then results, infusions and scores, oldest first,
    then oral iron courses and RLS medicines (with their events) as MedicationStatements."""
    person = patient.pk
    url = _url("patient", person)
    subject = {"reference": url}
    entries = [{"fullUrl": url, "resource": patient_resource(patient)}]

    def add(kind, records, resources):
        names = _urls(kind, person, records)
        entries.extend(
            [
                {"fullUrl": name, "resource": resource}
                for name, resource in zip(names, resources, strict=True)
            ]
        )

    results, observations = [], []
    for draw in sorted(draws, key=lambda d: (d.drawn_on, d.pk)):
        ordered = sorted(draw.results, key=lambda r: _ANALYTE_ORDER[r.analyte])
        results += ordered
        observations += lab_observations(draw, ordered, subject)
    add("result", results, observations)
    infusions = sorted(infusions, key=lambda i: (i.given_on, i.pk))
    add("infusion", infusions, [medication_administration(i, subject) for i in infusions])
    scores = sorted(symptom_scores, key=lambda s: (s.recorded_on, s.pk))
    add("symptom", scores, [symptom_observation(s, subject) for s in scores])
    courses = sorted(courses, key=lambda c: (c.started_on, c.pk))
    add("course", courses, [fhir_medications.course_statement(c, url) for c in courses])
    medications = sorted(medications, key=lambda m: (m.started_on, m.pk))
    statements = [
        fhir_medications.medicine_statement(m, list(m.events.all()), url) for m in medications
    ]
    add("medicine", medications, statements)
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}
