import pytest

from rlsapp.domain import entry, formats, regions, units

R = regions.REGIONS


def kinds(checked):
    return [q.kind for q in checked.questions]


@pytest.mark.parametrize(
    ("region", "analyte", "text", "chosen", "stored", "unit"),
    [
        ("US", "ferritin", "38 ng/ml", "µg/L", 38, "ng/mL"),
        ("US", "ferritin", "38 µg/L", "ng/mL", 38, "µg/L"),
        ("US", "ferritin", "38 mcg/l", "ng/mL", 38, "µg/L"),
        ("DE", "hemoglobin", "13,1 g/dl", "g/L", 13.1, "g/dL"),
        ("GB", "hemoglobin", "131 g/L", "g/dL", 13.1, "g/L"),
        ("NL", "hemoglobin", "8,1", "mmol/L", 8.1 / 0.6206, "mmol/L"),
        ("GB", "phosphate", "0.8", "mmol/L", 0.8 / 0.3229, "mmol/L"),
        ("DE", "hematocrit", "0,39 l/l", "%", 39, "L/L"),
        ("US", "ferritin", "1,050.5", "ng/mL", 1050.5, "ng/mL"),
    ],
)
def test_a_result_is_read_with_the_unit_typed_or_chosen(
    region, analyte, text, chosen, stored, unit
):
    checked = entry.check_result(analyte, text, chosen, R[region])
    assert checked.measurement.value == pytest.approx(stored)
    assert checked.measurement.entered_unit == unit


def test_a_unit_typed_that_the_analyte_has_not_is_refused_listing_the_accepted():
    with pytest.raises(units.UnitError, match=r"“mg/dl”.*accepted: µg/L, ng/mL, pmol/L"):
        entry.check_result("ferritin", "38 mg/dl", "ng/mL", R["US"])


@pytest.mark.parametrize(
    ("region", "text", "kinds_", "stored"),
    [
        ("US", "1,050", ["reading"], 1050),
        ("US", "1.500", ["reading", "unusual"], 1.5),
        ("US", "1.234", ["reading", "unusual"], 1.234),
        ("DE", "1,050", ["reading", "unusual"], 1.05),
        ("DE", "1.500", ["reading"], 1500),
        ("DE", "1.600", ["reading", "unusual"], 1600),
    ],
)
def test_a_number_the_other_convention_reads_differently_needs_a_confirmation(
    region, text, kinds_, stored
):
    checked = entry.check_result("ferritin", text, "µg/L", R[region])
    assert checked.measurement.value == pytest.approx(stored)
    assert kinds(checked) == kinds_
    assert "which is on the report?" in checked.questions[0].message


def test_an_unambiguous_usual_value_needs_no_confirmation():
    assert entry.check_result("ferritin", "1,050.5", "µg/L", R["US"]).questions == ()
    assert entry.check_result("ferritin", "64", "µg/L", R["DE"]).questions == ()


def test_an_unusual_value_needs_a_confirmation_and_the_hard_limits_stay():
    checked = entry.check_result("ferritin", "5000", "ng/mL", R["US"])
    assert kinds(checked) == ["unusual"]
    assert checked.questions[0].message == (
        "5,000 ng/mL is outside the usual 5–1,500 ng/mL for this test: check the report."
    )
    with pytest.raises(units.UnitError, match="between 0.5 and 10,000 ng/mL"):
        entry.check_result("ferritin", "10001", "ng/mL", R["US"])


def test_a_less_than_result_below_the_band_is_not_questioned():
    assert entry.check_result("ferritin", "<5", "µg/L", R["US"]).questions == ()


def test_an_unusual_value_that_is_usual_in_another_unit_offers_that_unit():
    checked = entry.check_result("phosphate", "0,8", "mg/dL", R["DE"])
    question = checked.questions[0]
    assert question.kind == "unusual"
    assert question.message.endswith("0,8 looks like mmol/L: 2,48 mg/dL?")
    assert [u for u, _ in question.suggestions] == ["mmol/L"]


@pytest.mark.parametrize(
    ("region", "analyte", "text", "unit", "message", "fix"),
    [
        ("US", "hemoglobin", "131", "g/dL", "131 looks like g/L: 13.1 g/dL?", "g/L"),
        ("DE", "hemoglobin", "131", "g/dL", "131 looks like g/L: 13,1 g/dL?", "g/L"),
        ("DE", "hematocrit", "0,39", "%", "0,39 looks like L/L: 39 %?", "L/L"),
        ("US", "hematocrit", "0.41", "%", "0.41 looks like L/L: 41 %?", "L/L"),
    ],
)
def test_an_impossible_value_points_at_the_unit_it_is_usual_in(
    region, analyte, text, unit, message, fix
):
    with pytest.raises(units.UnitError) as caught:
        entry.check_result(analyte, text, unit, R[region])
    assert str(caught.value).endswith(message)
    assert caught.value.suggestions[0][0] == fix


def test_an_impossible_value_in_no_unit_names_the_range_and_what_was_read():
    # The refusal named the range only: which number was read did not show.
    with pytest.raises(units.UnitError) as caught:
        entry.check_result("ferritin", "20000", "µg/L", R["DE"])
    assert str(caught.value) == "Ferritin must be between 0,5 and 10.000 µg/L. Read: 20.000 µg/L."
    assert caught.value.suggestions == ()
    with pytest.raises(units.UnitError) as caught:
        entry.check_result("tsat", "0,22", "%", R["DE"])
    assert str(caught.value).endswith("Read: 0,22 %.")


def test_text_that_is_no_number_in_the_region_is_refused_before_any_unit_check():
    with pytest.raises(formats.NumberError, match="did you mean 13.1"):
        entry.check_result("hemoglobin", "13,1 g/dl", "g/dL", R["US"])


@pytest.mark.parametrize(
    ("region", "entered", "unit", "stored", "readings"),
    [
        # saved before regions, when every comma was a decimal point
        ("US", "1,050", "µg/L", 1.05, [1050, 1.05]),
        ("GB", "1,234", "µg/L", 1.234, [1234, 1.234]),
        ("CH", "1,050", "µg/L", 1.05, [1050, 1.05]),  # refused now, and read two ways
        ("DE", "1.500", "µg/L", 1.5, [1500, 1.5]),
    ],
)
def test_a_stored_result_whose_text_reads_differently_now_is_listed(
    region, entered, unit, stored, readings
):
    found = entry.reread("ferritin", entered, unit, stored, R[region])
    assert found is not None
    assert list(found.readings) == pytest.approx(readings)


@pytest.mark.parametrize(
    ("region", "entered", "unit", "stored"),
    [
        ("DE", "1,050", "µg/L", 1.05),
        ("US", "64", "µg/L", 64),
        ("US", "<5", "µg/L", 5),
        ("US", "12,5", "µg/L", 12.5),  # the US writes 12.5, but 12,5 has no other reading
        ("NL", "8,1", "mmol/L", 8.1 / 0.6206),
    ],
)
def test_a_stored_result_that_reads_the_same_is_not_listed(region, entered, unit, stored):
    analyte = "hemoglobin" if unit == "mmol/L" else "ferritin"
    assert entry.reread(analyte, entered, unit, stored, R[region]) is None


@pytest.mark.parametrize("text", ["12 L", "12 µg/l H", "12 low"])
def test_a_flag_copied_from_a_printout_is_no_unit(text):
    # "12 L" (flagged low) was refused: 'read the unit “L”, which is not a unit of Ferritin'.
    checked = entry.check_result("ferritin", text, "µg/L", R["DE"])
    assert (checked.measurement.value, checked.measurement.entered_value) == (12, "12")


@pytest.mark.parametrize("text", ["12*", "12 *", "12 (H)", "12 [L]", "12 ↓", "12 !", "12 µg/l *"])
def test_a_flag_that_is_no_word_is_no_unit_either(text):
    # '12*' and '12 (H)' were refused as 'read “12*”: enter a number...' by the lab form,
    # while the CSV import read the same cells as 12: the flag check came after the number's.
    checked = entry.check_result("ferritin", text, "µg/L", R["DE"])
    assert (checked.measurement.value, checked.measurement.entered_value) == (12, "12")


@pytest.mark.parametrize("text", ["12 *10^3", "12 #", "12 (13)"])
def test_text_after_a_number_that_is_neither_flag_nor_unit_is_refused(text):
    with pytest.raises(formats.NumberError):
        entry.check_result("ferritin", text, "µg/L", R["DE"])
