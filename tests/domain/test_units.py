import pytest

from rlsapp.domain import units


@pytest.mark.parametrize(
    ("analyte", "text", "unit", "stored"),
    [
        ("ferritin", "100", "µg/L", 100),
        ("ferritin", "100", "ng/mL", 100),
        ("ferritin", "224.7", "pmol/L", 100),
        ("hemoglobin", "135", "g/L", 13.5),
        ("hemoglobin", "8.5", "mmol/L", 8.5 / 0.6206),
        ("hematocrit", "0.41", "L/L", 41),
        ("iron", "17.9", "µmol/L", 100),
        ("tibc", "53.7", "µmol/L", 300),
        ("phosphate", "1.0", "mmol/L", 1 / 0.3229),
    ],
)
def test_it_converts_each_lab_unit_to_the_stored_unit(analyte, text, unit, stored):
    assert units.measure(analyte, text, unit).value == pytest.approx(stored)


def test_it_keeps_the_value_and_unit_as_the_lab_printed_them():
    m = units.measure("hemoglobin", " 12,5 ", "g/dL")
    assert (m.value, m.entered_value, m.entered_unit) == (12.5, "12,5", "g/dL")


@pytest.mark.parametrize(
    ("text", "comparator", "number"),
    [("<5", "<", 5), ("> 1500", ">", 1500), ("≤5", "<=", 5), (">=10", ">=", 10), ("7", "", 7)],
)
def test_it_reads_less_than_and_greater_than_results(text, comparator, number):
    assert units.parse_number(text) == (comparator, number)


@pytest.mark.parametrize("text", ["", "abc", "1.2.3", "--4", "5<", "1e5", "NaN", "∞"])
def test_it_refuses_what_is_not_a_number(text):
    with pytest.raises(units.UnitError, match="Enter a number"):
        units.parse_number(text)


def test_it_refuses_an_implausible_value_naming_the_range_in_the_entered_unit():
    with pytest.raises(units.UnitError, match=r"Hemoglobin must be between 20 and 250 g/L"):
        units.measure("hemoglobin", "900", "g/L")


def test_it_refuses_an_unknown_unit_listing_the_accepted_ones():
    with pytest.raises(units.UnitError, match="accepted: µg/L, ng/mL, pmol/L"):
        units.measure("ferritin", "100", "mg/dL")


def test_transferrin_saturation_is_iron_over_tibc():
    assert units.transferrin_saturation(90, 300) == pytest.approx(30)


def test_reference_ranges_depend_on_sex_where_they_differ():
    hb = units.ANALYTES["hemoglobin"]
    assert hb.reference_range("F") == (12, 16)
    assert hb.reference_range("M") == (13, 17)
    assert units.ANALYTES["ferritin"].reference_range("F") == (30, 300)


def test_every_analyte_has_a_loinc_code_and_accepts_its_stored_unit():
    for analyte in units.ANALYTES.values():
        assert analyte.loinc
        assert analyte.display_unit in analyte.units


@pytest.mark.parametrize(
    ("analyte", "value", "sex", "threshold", "expected"),
    [
        ("ferritin", 64, "", 100, ("low", "below threshold 100")),
        ("ferritin", 150, "", 100, ("", "")),
        ("ferritin", 350, "", 100, ("high", "above range 30–300")),
        ("hemoglobin", 12.5, "M", None, ("low", "below range 13–17")),
        ("hemoglobin", 12.5, "F", None, ("", "")),
    ],
)
def test_a_result_is_flagged_against_the_threshold_then_the_range(
    analyte, value, sex, threshold, expected
):
    assert units.flag(analyte, value, sex, threshold) == expected


def test_a_result_reads_with_its_comparator_and_unit():
    assert units.format_result("ferritin", 5, "<") == "<5 µg/L"
    assert units.format_result("hemoglobin", 12.84, "") == "12.8 g/dL"


@pytest.mark.parametrize(
    ("analyte", "text", "unit"),
    [
        ("ferritin", "ug/l", "µg/L"),
        ("ferritin", "mcg/L", "µg/L"),
        ("ferritin", "μg/l", "µg/L"),
        ("ferritin", "ng/ml", "ng/mL"),
        ("hemoglobin", "g/dl", "g/dL"),
        ("hemoglobin", "g/100ml", "g/dL"),
        ("hemoglobin", "mmol/l", "mmol/L"),
        ("hematocrit", "l/l", "L/L"),
        ("hematocrit", "percent", "%"),
        ("phosphate", "mmol/L", "mmol/L"),
        ("ferritin", "mg/dl", None),
    ],
)
def test_the_unit_vocabulary_resolves_how_people_spell_units(analyte, text, unit):
    assert units.resolve_unit(analyte, text) == unit


def test_every_analyte_has_a_usual_band_with_a_source_inside_its_hard_limits():
    for analyte in units.ANALYTES.values():
        low, high = analyte.usual
        assert analyte.minimum < low < high < analyte.maximum
        assert analyte.reference[""][0] >= low and analyte.reference[""][1] <= high
        assert analyte.usual_source


@pytest.mark.parametrize(
    ("analyte", "value", "unusual"),
    [
        ("ferritin", 5000, True),
        ("ferritin", 1500, False),
        ("ferritin", 4, True),
        ("ferritin", 64, False),
        ("hemoglobin", 6.5, True),
        ("phosphate", 0.8, True),
        ("phosphate", 3.0, False),
    ],
)
def test_values_outside_the_usual_band_are_unusual(analyte, value, unusual):
    assert units.is_unusual(analyte, value) is unusual


@pytest.mark.parametrize(
    ("analyte", "number", "unit", "expected"),
    [
        ("hemoglobin", 131, "g/dL", [("g/L", 13.1)]),
        ("hematocrit", 0.39, "%", [("L/L", 39)]),
        ("phosphate", 0.8, "mg/dL", [("mmol/L", 0.8 / 0.3229)]),
        ("hemoglobin", 8.1, "g/dL", [("mmol/L", 8.1 / 0.6206)]),
        ("ferritin", 5000, "µg/L", []),  # ng/mL is the same number: no other reading
    ],
)
def test_a_number_is_offered_in_the_units_it_would_be_usual_in(analyte, number, unit, expected):
    found = units.other_unit_readings(analyte, number, unit)
    assert [u for u, _ in found] == [u for u, _ in expected]
    assert [v for _, v in found] == pytest.approx([v for _, v in expected])


def test_a_refusal_outside_the_hard_limits_points_at_the_likely_unit():
    with pytest.raises(units.UnitError, match=r"131 looks like g/L: 13.1 g/dL\?") as caught:
        units.measure("hemoglobin", "131", "g/dL")
    assert caught.value.suggestions[0][0] == "g/L"
    with pytest.raises(units.UnitError, match=r"0.39 looks like L/L: 39 %\?"):
        units.measure("hematocrit", "0,39", "%")
