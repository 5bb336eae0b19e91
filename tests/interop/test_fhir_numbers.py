"""FHIR values are read as FHIR writes them: decimal point, no guessing (issue 11)."""

import pytest

from rlsapp.interop.fhir_parse import parse_bundle

from .fhir_resources import bundle, observation


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
