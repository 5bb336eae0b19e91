"""FHIR values are read as FHIR writes them: decimal point, no guessing (issue 11)."""

import pytest

from rlsapp.interop.fhir_parse import parse_bundle

from .fhir_resources import FERRITIN_LOINC, bundle, observation


def ferritin(value):
    """A bundle of one ferritin observation with `value` (valueQuantity or valueString)."""
    return bundle(observation(**value))


def values(parsed):
    return [r.value for d in parsed.draws for r in d.results]


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ({"valueQuantity": {"value": 1.234, "unit": "ug/L"}}, 1.234),
        ({"valueQuantity": {"value": 1050, "unit": "ng/mL"}}, 1050),
        ({"valueString": "1050.5 ug/L"}, 1050.5),
        ({"valueString": "<5"}, 5),
    ],
)
def test_fhir_numbers_are_read_with_a_decimal_point(value, stored):
    parsed = parse_bundle(ferritin(value))
    assert not parsed.errors, parsed.errors
    assert values(parsed) == [stored]


@pytest.mark.parametrize("text", ["1,050", "1.500"])
def test_a_value_string_another_convention_reads_differently_is_refused(text):
    parsed = parse_bundle(ferritin({"valueString": text}))
    assert values(parsed) == []
    assert parsed.errors[0].column == "Observation.valueString"
    assert "with a decimal comma" in parsed.errors[0].message


def test_an_unusual_fhir_value_is_listed_for_the_preview():
    parsed = parse_bundle(ferritin({"valueQuantity": {"value": 5000, "unit": "ug/L"}}))
    assert values(parsed) == [5000]
    assert parsed.unusual[0].row == 1
    assert "outside the usual" in parsed.unusual[0].message


def test_an_unusual_value_string_with_its_unit_is_listed_under_its_entry():
    # The valueString's number took the entry number's name: 'Values to check' listed
    # '3000 ng/mL' under entry 3000 instead of entry 2.
    parsed = parse_bundle(
        bundle(
            observation(valueString="45 ng/mL"),
            observation(valueString="3000 ng/mL", effectiveDateTime="2024-01-02"),
        )
    )
    assert values(parsed) == [45, 3000]
    assert [(u.row, u.column) for u in parsed.unusual] == [(2, "Observation.valueString")]


HEMOGLOBIN_LOINC, IRON_LOINC = "718-7", "2498-4"


@pytest.mark.parametrize(
    ("code", "text"), [(FERRITIN_LOINC, "45 nmol/L"), (IRON_LOINC, "15 mmol/L")]
)
def test_a_value_string_with_a_unit_rlsapp_does_not_accept_is_refused(code, text):
    # The unit after the number was dropped and the number stored in the display unit:
    # iron "15 mmol/L" became 15 ug/dL.
    parsed = parse_bundle(bundle(observation(code, valueString=text)))
    assert values(parsed) == []
    assert parsed.errors[0].column == "Observation.valueString"
    assert parsed.errors[0].message.startswith(
        "unknown unit 'mmol/L'" if code == IRON_LOINC else "unknown unit 'nmol/L'"
    )


def test_a_value_string_without_a_unit_takes_its_reference_ranges_unit():
    # A Dutch Hb of "8.1" with its range in mmol/L was stored as 8.1 g/dL.
    reference = [{"low": {"value": 7.5, "unit": "mmol/L"}, "high": {"value": 10, "unit": "mmol/L"}}]
    parsed = parse_bundle(
        bundle(observation(HEMOGLOBIN_LOINC, valueString="8.1", referenceRange=reference))
    )
    assert [round(v, 2) for v in values(parsed)] == [13.05]


def test_a_value_string_without_any_unit_is_read_in_the_display_unit_and_said_so():
    parsed = parse_bundle(bundle(observation(IRON_LOINC, valueString="15")))
    assert values(parsed) == [15]
    assert "No unit given with a Serum iron valueString: read as µg/dL." in parsed.notes


@pytest.mark.parametrize(
    "quantity",
    [
        {"value": 45, "unit": "ng/mL", "system": "http://unitsofmeasure.org", "code": "mg/L"},
        {"value": 45, "unit": "ng/mL", "code": "pmol/L"},
    ],
)
def test_a_quantity_whose_code_and_text_disagree_is_refused(quantity):
    # The display text stood in for a code rlsapp could not read: 45 mg/L stored as 45 ng/mL.
    parsed = parse_bundle(ferritin({"valueQuantity": quantity}))
    assert values(parsed) == []
    assert parsed.errors[0].column == "Observation.valueQuantity.code"


@pytest.mark.parametrize(
    ("code", "quantity", "analyte", "stored"),
    [
        ("59260-0", {"value": 8.1, "unit": "mmol/L"}, "hemoglobin", 13.05),  # Hb in moles
        ("14798-3", {"value": 15.2, "unit": "umol/L"}, "iron", 84.92),
        ("14800-7", {"value": 60, "unit": "umol/L"}, "tibc", 335.2),
        ("14879-1", {"value": 0.9, "unit": "mmol/L"}, "phosphate", 2.79),
        ("20567-4", {"value": 45, "unit": "ng/mL"}, "ferritin", 45),
    ],
)
def test_the_moles_and_method_codes_of_an_analyte_are_read_as_it(code, quantity, analyte, stored):
    # These were skipped as "a code rlsapp does not track".
    parsed = parse_bundle(bundle(observation(code, valueQuantity=quantity)))
    result = parsed.draws[0].results[0]
    assert (result.analyte, round(result.value, 2)) == (analyte, stored)


def test_the_tracked_components_of_a_panel_observation_are_its_results():
    # An iron panel as one Observation (50190-5) with its values as components was skipped
    # whole as "a code rlsapp does not track".
    def component(code, value, unit):
        coding = {"system": "http://loinc.org", "code": code}
        return {"code": {"coding": [coding]}, "valueQuantity": {"value": value, "unit": unit}}

    panel = observation(
        "50190-5",
        component=[
            component(IRON_LOINC, 15.2, "umol/L"),
            component("2500-7", 60, "umol/L"),
            component("2502-3", 25, "%"),
            component("2501-5", 44.8, "umol/L"),  # UIBC: not tracked, left out
        ],
    )
    parsed = parse_bundle(bundle(panel))
    assert not parsed.errors
    found = {r.analyte: round(r.value, 1) for d in parsed.draws for r in d.results}
    assert found == {"iron": 84.9, "tibc": 335.2, "tsat": 25}


def test_a_panel_with_one_bad_component_keeps_none_of_them():
    bad = {"code": {"coding": [{"code": "2500-7"}]}, "valueQuantity": {"value": 60, "unit": "x"}}
    good = {
        "code": {"coding": [{"code": IRON_LOINC}]},
        "valueQuantity": {"value": 80, "unit": "ug/dL"},
    }
    parsed = parse_bundle(bundle(observation("50190-5", component=[good, bad])))
    assert values(parsed) == []
    assert len(parsed.errors) == 1


@pytest.mark.parametrize(("text", "stored"), [("12 H", 12), ("<5 L", 5), ("45 ng/mL H", 45)])
def test_a_flag_after_a_value_string_is_no_unit(text, stored):
    parsed = parse_bundle(ferritin({"valueString": text}))
    assert not parsed.errors
    assert values(parsed) == [stored]


def test_a_result_dated_by_its_issue_day_says_so():
    # The draw was dated by `issued` (when the lab released it) without a word.
    resource = observation(valueQuantity={"value": 45, "unit": "ug/L"})
    del resource["effectiveDateTime"]
    resource["issued"] = "2024-01-03T10:00:00Z"
    parsed = parse_bundle(bundle(resource))
    assert parsed.draws[0].drawn_on.isoformat() == "2024-01-03"
    assert any("the day the lab issued them was used" in n for n in parsed.notes)


@pytest.mark.parametrize("text", ["1e3", "12 #", "1E+03 ng/mL"])
def test_a_value_string_with_text_after_it_that_is_no_unit_says_what_was_read(text):
    # '1e3' was refused as "unknown unit 'e3' for Ferritin", as if a unit had been typed.
    parsed = parse_bundle(ferritin({"valueString": text}))
    assert values(parsed) == []
    assert parsed.errors[0].message == (
        f"read {text!r}: enter a number in the international format, for example 1050.5 or "
        "12.5, optionally after < or > and followed by its unit."
    )
