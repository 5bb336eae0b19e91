import datetime
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlsapp.interop.fhir_parse import parse_bundle
from rlsapp.interop.parsed import ImportRefused

from . import fhir_resources
from .fhir_resources import bundle, given_iron
from .helpers import data_file

TODAY = datetime.date(2024, 6, 1)


def parse(document):
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    return parse_bundle(data, today=TODAY)


def observation(code=fhir_resources.FERRITIN_LOINC, value=40, unit="ng/mL", **extra):
    quantity = {"value": value, "unit": unit, "code": unit}
    return fhir_resources.observation(code, valueQuantity=quantity, **extra)


def test_a_portal_bundle_becomes_draws_and_infusions_with_the_rest_counted():
    parsed = parse(data_file("portal_bundle.json"))
    assert not parsed.errors
    first = parsed.draws[0]
    assert (first.drawn_on, first.lab_name) == (datetime.date(2023, 4, 3), "LabCorp Burlington")
    found = {r.analyte: r for r in first.results}
    assert found["hemoglobin"].value == pytest.approx(12.8)
    assert found["iron"].value == pytest.approx(7.5 / 0.179)
    second = parsed.draws[1].results[0]
    assert (second.value, second.comparator) == (5, "<")
    assert [(i.product, i.dose_mg) for i in parsed.infusions] == [
        ("fcm", 750),
        ("ferumoxytol", 510),
    ]
    assert parsed.skipped == {
        "Patient resources": 1,
        "Organization resources": 1,
        "Observations with a code rlsapp does not track": 1,
        "Observation resources with status entered-in-error": 1,
        "MedicationStatement resources that are not IV iron": 1,
        "Condition resources": 1,
    }


def test_the_local_date_is_kept_whatever_the_time_zone():
    parsed = parse(bundle(observation(effectiveDateTime="2023-04-03T23:30:00-10:00")))
    assert parsed.draws[0].drawn_on == datetime.date(2023, 4, 3)


def test_an_unknown_unit_is_an_error_naming_the_entry_and_field():
    parsed = parse(bundle(observation(unit="mg/L")))
    assert [(e.row, e.column) for e in parsed.errors] == [(1, "Observation.valueQuantity.unit")]


def test_a_value_out_of_range_is_an_error():
    parsed = parse(bundle(observation(code="718-7", value=130, unit="g/dL")))
    assert "Hemoglobin must be between" in parsed.errors[0].message


def test_an_observation_without_a_date_is_an_error():
    resource = observation()
    del resource["effectiveDateTime"]
    assert parse(bundle(resource)).errors[0].column == "Observation.effectiveDateTime"


def test_a_string_value_with_a_comparator_is_read():
    resource = observation()
    del resource["valueQuantity"]
    resource["valueString"] = "<10 ug/L"
    result = parse(bundle(resource)).draws[0].results[0]
    assert (result.value, result.comparator, result.entered_unit) == (10, "<", "µg/L")


def test_an_iv_iron_without_a_known_name_is_kept_as_other():
    iron = given_iron("Ferric gluconate complex", dose=125, route="Intravenous")
    infusion = parse(bundle(iron)).infusions[0]
    assert (infusion.product, infusion.product_other, infusion.dose_mg) == (
        "other",
        "Ferric gluconate complex",
        125,
    )


def test_an_infusion_without_a_dose_in_mg_is_an_error():
    iron = given_iron("Venofer", dose=10, unit="mL", route=None)
    assert parse(bundle(iron)).errors[0].column == "MedicationAdministration.dosage.dose"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"<Bundle xmlns='http://hl7.org/fhir'/>", "not a FHIR JSON file"),
        (b"[1, 2]", "no resourceType"),
        (json.dumps(observation()).encode(), "holds one Observation, not a Bundle"),
        (b'{"resourceType": "Bundle", "type": "collection"}', "no entries"),
        (b"[" * 100000, "not a FHIR JSON file"),
    ],
)
def test_it_refuses_files_it_cannot_use(content, message):
    with pytest.raises(ImportRefused, match=message):
        parse(content)


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "resourceType",
                    "code",
                    "coding",
                    "valueQuantity",
                    "value",
                    "unit",
                    "effectiveDateTime",
                    "dosage",
                    "dose",
                    "status",
                    "component",
                    "note",
                    "performer",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(JSONISH, max_size=4))
def test_malformed_resources_never_crash_the_parser(resources):
    entries = [{"resource": r} for r in resources]
    for kind, entry in zip(
        ["Observation", "MedicationAdministration", "MedicationStatement"], entries, strict=False
    ):
        if isinstance(entry["resource"], dict):
            entry["resource"]["resourceType"] = kind
    try:
        parse({"resourceType": "Bundle", "entry": entries})
    except ImportRefused:
        pass
