import datetime

import pytest
from django import forms
from django.urls import reverse

from rlsapp.domain import regions
from rlsapp.tracking import lab_entry
from rlsapp.tracking.models import LabDraw, LabResult

R = regions.REGIONS


class DateForm(forms.Form):
    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["drawn_on"] = lab_entry.RegionDateField(
            region=region, label="Date drawn", asked="the date on the report"
        )


@pytest.mark.parametrize(
    ("region", "text", "date"),
    [
        ("US", "10/20/2026", datetime.date(2026, 10, 20)),
        ("DE", "20.10.2026", datetime.date(2026, 10, 20)),
        ("NL", "20-10-2026", datetime.date(2026, 10, 20)),
        ("GB", "2026-10-20", datetime.date(2026, 10, 20)),
    ],
)
def test_the_date_field_reads_the_regions_format_and_iso(region, text, date):
    form = DateForm({"drawn_on": text}, region=R[region])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["drawn_on"] == date


def test_a_date_in_the_browsers_format_is_refused_naming_the_expected_one_and_kept():
    form = DateForm({"drawn_on": "20.10.2026"}, region=R["US"])
    assert not form.is_valid()
    assert form.errors["drawn_on"] == [
        "Date drawn: read “20.10.2026”: enter it as m/d/yyyy, for example 12/31/2025, "
        "or as 2025-12-31."
    ]
    html = str(form["drawn_on"])
    assert 'value="20.10.2026"' in html and 'type="text"' in html


def test_the_date_field_shows_a_date_the_regions_way_with_its_pattern():
    form = DateForm(initial={"drawn_on": datetime.date(2026, 3, 4)}, region=R["DE"])
    html = str(form["drawn_on"])
    assert 'value="04.03.2026"' in html and 'placeholder="dd.mm.yyyy"' in html
    assert 'type="date"' not in html


def test_a_missing_date_asks_for_the_one_on_the_report():
    form = DateForm({"drawn_on": ""}, region=R["DE"])
    assert not form.is_valid()
    assert "enter the date on the report, as dd.mm.yyyy" in form.errors["drawn_on"][0]


def test_a_missing_date_elsewhere_asks_for_a_date_not_a_report(owner_client, patient):
    """An infusion's, a symptom score's or an oral iron course's date is not read off a
    report, yet an empty one was asked for as 'the date on the report'."""
    for kind, field in [
        ("infusion", "given_on"),
        ("symptom", "recorded_on"),
        ("course", "started_on"),
    ]:
        response = owner_client.post(reverse(f"{kind}_create", args=[patient.pk]), {field: ""})
        error = response.context["form"].errors[field][0]
        assert "enter the date, as " in error and "report" not in error, error


def read(code, text, unit, region, **answers):
    return lab_entry.ResultReader(code, text, unit, R[region], answers)


def test_an_ambiguous_number_asks_with_both_readings_and_saves_the_one_picked():
    first = read("ferritin", "1,050", "ng/mL", "US")
    assert first.measurement is None
    assert "“1,050” is 1050 in the US format but 1.05 with a decimal comma" in first.questions[0]
    assert [label for _, label in first.reading_choices] == ["1050 ng/mL", "1.05 ng/mL"]
    picked = read("ferritin", "1,050", "ng/mL", "US", reading=first.reading_choices[0][0])
    assert picked.measurement.value == 1050
    assert picked.measurement.entered_value == "1,050"


def test_picking_the_other_reading_stores_it_as_the_region_writes_it():
    first = read("ferritin", "1.500", "µg/L", "DE")
    other = read("ferritin", "1.500", "µg/L", "DE", reading=first.reading_choices[1][0])
    # 1,5 µg/L is below the usual band: that is asked next
    assert other.measurement is None and "outside the usual" in other.questions[0]
    kept = read(
        "ferritin",
        "1.500",
        "µg/L",
        "DE",
        reading=first.reading_choices[1][0],
        check=other.check_choices[0][0],
    )
    assert (kept.measurement.value, kept.measurement.entered_value) == (1.5, "1,5")


def test_an_answer_for_another_text_does_not_carry_over():
    first = read("ferritin", "1,050", "ng/mL", "US")
    again = read("ferritin", "2,050", "ng/mL", "US", reading=first.reading_choices[0][0])
    assert again.measurement is None and again.questions


def test_an_unusual_value_asks_first_and_is_kept_when_confirmed():
    first = read("ferritin", "5000", "ng/mL", "US")
    assert first.measurement is None
    assert first.questions == [
        "Ferritin: 5,000 ng/mL is outside the usual 5–1,500 ng/mL for this test: check the report."
    ]
    kept = read("ferritin", "5000", "ng/mL", "US", check=first.check_choices[0][0])
    assert kept.measurement.value == 5000


def test_an_impossible_value_offers_the_unit_it_would_be_usual_in():
    first = read("hemoglobin", "131", "g/dL", "US")
    assert first.error.endswith("131 looks like g/L: 13.1 g/dL?")
    assert [label for _, label in first.check_choices] == ["It is in g/L (13.1 g/dL)"]
    fixed = read("hemoglobin", "131", "g/dL", "US", check=first.check_choices[0][0])
    assert (fixed.measurement.value, fixed.measurement.entered_unit) == (pytest.approx(13.1), "g/L")


def test_phosphate_in_the_wrong_unit_asks_and_offers_mmol():
    first = read("phosphate", "0,8", "mg/dL", "DE")
    assert first.questions[0].endswith("0,8 looks like mmol/L: 2,48 mg/dL?")
    fixed = read("phosphate", "0,8", "mg/dL", "DE", check=first.check_choices[1][0])
    assert fixed.measurement.entered_unit == "mmol/L"
    assert fixed.measurement.value == pytest.approx(0.8 / 0.3229)


def test_a_number_the_region_does_not_write_is_an_error_with_the_suggestion():
    assert read("hemoglobin", "13,1", "g/dL", "US").error == (
        "Hemoglobin: read “13,1”, which is not a number in the US format "
        "(for example 1,050.5 or 12.5); did you mean 13.1?"
    )


def test_a_unit_typed_with_the_number_is_used():
    reader = read("ferritin", "38 µg/L", "ng/mL", "US")
    assert (reader.measurement.value, reader.measurement.entered_unit) == (38, "µg/L")


def _draw(patient, day, lab, **results):
    draw = LabDraw.objects.create(patient=patient, drawn_on=day, lab_name=lab)
    for code, (value, unit) in results.items():
        LabResult.objects.create(
            draw=draw, analyte=code, value=value, entered_value=str(value), entered_unit=unit
        )
    return draw


def test_units_are_remembered_per_person_and_per_lab_then_the_regions_default(patient):
    day = datetime.date(2026, 1, 5)
    _draw(patient, day, "Dutch Lab", hemoglobin=(8.1 / 0.6206, "mmol/L"))
    _draw(patient, day + datetime.timedelta(days=30), "US Lab", hemoglobin=(13, "g/dL"))
    assert lab_entry.remembered_units(patient, R["GB"])["hemoglobin"] == "g/dL"
    assert lab_entry.remembered_units(patient, R["GB"], "dutch lab")["hemoglobin"] == "mmol/L"
    assert lab_entry.remembered_units(patient, R["GB"])["phosphate"] == "mmol/L"
    assert lab_entry.remembered_units(patient, R["US"])["phosphate"] == "mg/dL"


def test_a_draw_with_the_same_results_on_the_same_day_is_identical(patient):
    from rlsapp.domain import units

    draw = _draw(patient, datetime.date(2026, 1, 5), "Lab", ferritin=(64, "µg/L"))
    same = {"ferritin": units.measure("ferritin", "64", "ng/mL")}
    other = {"ferritin": units.measure("ferritin", "65", "ng/mL")}
    assert lab_entry.same_day_draws(patient, datetime.date(2026, 1, 5)) == [draw]
    assert lab_entry.same_day_draws(patient, datetime.date(2026, 1, 5), exclude_pk=draw.pk) == []
    assert lab_entry.identical(draw, same) and not lab_entry.identical(draw, other)


def test_a_draw_is_summed_up_with_date_lab_and_values_the_regions_way(patient):
    draw = _draw(
        patient,
        datetime.date(2026, 11, 28),
        "Labor Berlin",
        ferritin=(1050, "µg/L"),
        hemoglobin=(13.1, "g/dL"),
    )
    assert lab_entry.draw_summary(draw, R["DE"]) == (
        "28.11.2026, Labor Berlin: Ferritin 1.050 µg/L, Hb 13,1 g/dL"
    )
    assert lab_entry.draw_summary(draw, R["US"]) == (
        "11/28/2026, Labor Berlin: Ferritin 1,050 µg/L, Hb 13.1 g/dL"
    )
