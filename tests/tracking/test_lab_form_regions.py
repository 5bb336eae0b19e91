"""The lab form reads by the account's region and asks before saving (issue 11)."""

import datetime

import pytest
from django.urls import reverse

from rlsapp.tracking.models import LabDraw, LabResult

DAY = datetime.date(2026, 10, 20)


@pytest.fixture
def url(patient):
    return reverse("draw_create", args=[patient.pk])


def as_region(owner, code):
    owner.region = code
    owner.save()


def post_data(drawn_on, lab="City Lab", **values):
    """Values as text, optionally (text, unit); answers as extra keys."""
    data = {"drawn_on": drawn_on, "lab_name": lab, "note": ""}
    for key, value in values.items():
        if isinstance(value, tuple):
            data[key], data[f"{key}_unit"] = value
        else:
            data[key] = value
    return data


def stored(patient):
    return {
        r.analyte: (round(r.value, 4), r.entered_value, r.entered_unit)
        for r in LabResult.objects.filter(draw__patient=patient)
    }


def answer(response, name, index):
    """The value of choice `index` of the question field `name` shown on the form."""
    return response.context["form"].fields[name].choices[index][0]


def test_a_german_account_types_decimal_commas_grouping_and_a_day_first_date(
    owner_client, owner, patient, url
):
    as_region(owner, "DE")
    data = post_data("20.10.2026", hemoglobin=("13,1", "g/dL"), phosphate=("1,05", "mmol/L"))
    response = owner_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    draw = LabDraw.objects.get()
    assert draw.drawn_on == DAY
    assert stored(patient)["hemoglobin"] == (13.1, "13,1", "g/dL")
    assert stored(patient)["phosphate"][1:] == ("1,05", "mmol/L")


def test_a_us_account_types_month_first_and_grouping(owner_client, owner, patient, url):
    as_region(owner, "US")
    response = owner_client.post(url, post_data("10/20/2026", ferritin=("1,050.5", "ng/mL")))
    assert response.status_code == 302, response.context["form"].errors
    assert LabDraw.objects.get().drawn_on == DAY
    assert stored(patient)["ferritin"] == (1050.5, "1,050.5", "ng/mL")


def test_a_day_first_date_in_a_us_account_is_refused_naming_the_format_and_kept(
    owner_client, owner, url
):
    as_region(owner, "US")
    response = owner_client.post(url, post_data("20.10.2026", ferritin="64"))
    assert response.context["form"].errors["drawn_on"] == [
        "Date drawn: read “20.10.2026”: enter it as m/d/yyyy, for example 12/31/2025, "
        "or as 2025-12-31."
    ]
    assert 'value="20.10.2026"' in response.content.decode()
    assert not LabDraw.objects.exists()


def test_a_new_draw_has_no_date_until_one_is_typed(owner_client, owner, url):
    as_region(owner, "DE")
    form = owner_client.get(url).context["form"]
    assert form["drawn_on"].value() in (None, "")
    html = str(form["drawn_on"])
    assert 'type="text"' in html and 'placeholder="dd.mm.yyyy"' in html
    response = owner_client.post(url, post_data("", ferritin="64"))
    assert "enter the date on the report" in response.context["form"].errors["drawn_on"][0]


@pytest.mark.parametrize(
    ("region", "typed", "first", "other"),
    [
        ("US", "1,050", "1050 µg/L", "1.05 µg/L"),
        ("DE", "1.500", "1500 µg/L", "1,5 µg/L"),
        ("GB", "1,234", "1234 µg/L", "1.234 µg/L"),
    ],
)
def test_an_ambiguous_number_is_asked_with_both_readings_before_anything_is_saved(
    owner_client, owner, patient, url, region, typed, first, other
):
    as_region(owner, region)
    date = {"US": "10/20/2026", "DE": "20.10.2026", "GB": "20/10/2026"}[region]
    data = post_data(date, ferritin=(typed, "µg/L"))
    response = owner_client.post(url, data)
    assert response.status_code == 200 and not LabDraw.objects.exists()
    assert "which is on the report?" in response.context["form"].errors["ferritin"][0]
    html = response.content.decode()
    assert 'name="ferritin_reading"' in html
    labels = [label for _, label in response.context["form"].fields["ferritin_reading"].choices]
    assert labels == [first, other]
    pick = answer(response, "ferritin_reading", 0)
    response = owner_client.post(url, data | {"ferritin_reading": pick})
    assert response.status_code == 302
    assert stored(patient)["ferritin"][:2] == (float(first.split()[0]), typed)


def test_the_other_reading_once_picked_is_saved_as_the_region_writes_it(
    owner_client, owner, patient, url
):
    as_region(owner, "US")
    data = post_data("10/20/2026", ferritin=("1.600", "µg/L"))
    response = owner_client.post(url, data)
    pick = answer(response, "ferritin_reading", 1)  # 1600: above the usual band, asked next
    response = owner_client.post(url, data | {"ferritin_reading": pick})
    assert response.status_code == 200
    assert "outside the usual" in response.context["form"].errors["ferritin"][0]
    keep = answer(response, "ferritin_check", 0)
    response = owner_client.post(url, data | {"ferritin_reading": pick, "ferritin_check": keep})
    assert response.status_code == 302
    assert stored(patient)["ferritin"] == (1600, "1600", "µg/L")


def test_only_readings_inside_the_hard_limits_are_offered(owner_client, owner, url):
    as_region(owner, "US")
    response = owner_client.post(url, post_data("10/20/2026", hemoglobin=("13.100", "g/dL")))
    field = response.context["form"].fields["hemoglobin_reading"]
    assert [label for _, label in field.choices] == ["13.1 g/dL"]  # 13100 is no hemoglobin
    response = owner_client.post(url, post_data("10/20/2026", hemoglobin=("1.250", "g/dL")))
    error = response.context["form"].errors["hemoglobin"][0]
    assert "Hemoglobin must be between 2 and 25 g/dL" in error
    assert not LabDraw.objects.exists()


def test_an_impossible_value_says_what_was_read_and_names_the_analyte_once(
    owner_client, owner, url
):
    # It read "Transferrin saturation: Transferrin saturation must be between 0,5 and 100 %."
    as_region(owner, "DE")
    response = owner_client.post(url, post_data("20.10.2026", tsat=("0,22", "%")))
    assert response.context["form"].errors["tsat"] == [
        "Transferrin saturation must be between 0,5 and 100 %. Read: 0,22 %."
    ]
    assert not LabDraw.objects.exists()


def test_an_unusual_value_needs_a_confirmation(owner_client, owner, patient, url):
    data = post_data("2026-10-20", ferritin=("5000", "µg/L"))
    response = owner_client.post(url, data)
    assert response.status_code == 200 and not LabDraw.objects.exists()
    errors = response.context["form"].errors["ferritin"]
    assert "5000 µg/L is outside the usual 5–1500 µg/L" in errors[0]
    keep = answer(response, "ferritin_check", 0)
    assert owner_client.post(url, data | {"ferritin_check": keep}).status_code == 302
    assert stored(patient)["ferritin"][0] == 5000


def test_a_confirmation_does_not_carry_over_to_another_value(owner_client, owner, url):
    response = owner_client.post(url, post_data("2026-10-20", ferritin=("5000", "µg/L")))
    keep = answer(response, "ferritin_check", 0)
    changed = post_data("2026-10-20", ferritin=("6000", "µg/L")) | {"ferritin_check": keep}
    assert owner_client.post(url, changed).status_code == 200
    assert not LabDraw.objects.exists()


def test_an_impossible_value_offers_the_unit_and_the_fix_saves_in_it(
    owner_client, owner, patient, url
):
    as_region(owner, "DE")
    data = post_data("20.10.2026", hemoglobin=("131", "g/dL"))
    response = owner_client.post(url, data)
    error = response.context["form"].errors["hemoglobin"][0]
    assert error.endswith("131 looks like g/L: 13,1 g/dL?")
    fix = answer(response, "hemoglobin_check", 0)
    response = owner_client.post(url, data | {"hemoglobin_check": fix})
    assert response.status_code == 302
    assert stored(patient)["hemoglobin"] == (13.1, "131", "g/L")


def test_hematocrit_as_a_fraction_in_percent_points_at_l_per_l(owner_client, owner, url):
    as_region(owner, "NL")
    response = owner_client.post(url, post_data("20-10-2026", hematocrit=("0,39", "%")))
    assert response.context["form"].errors["hematocrit"][0].endswith("0,39 looks like L/L: 39 %?")


def test_a_unit_typed_with_the_number_is_understood(owner_client, owner, patient, url):
    as_region(owner, "US")
    response = owner_client.post(url, post_data("10/20/2026", ferritin=("38 µg/L", "ng/mL")))
    assert response.status_code == 302
    assert stored(patient)["ferritin"] == (38, "38", "µg/L")


def test_units_are_remembered_per_person_then_the_region_default(owner_client, owner, patient, url):
    as_region(owner, "GB")
    form = owner_client.get(url).context["form"]
    assert (form["hemoglobin_unit"].value(), form["phosphate_unit"].value()) == ("g/L", "mmol/L")
    owner_client.post(url, post_data("20/10/2026", hemoglobin=("13.1", "g/dL")))
    form = owner_client.get(url).context["form"]
    assert form["hemoglobin_unit"].value() == "g/dL"


def test_the_same_results_on_the_same_day_are_refused_unless_confirmed(
    owner_client, owner, patient, url
):
    data = post_data("2026-10-20", ferritin=("64", "µg/L"))
    assert owner_client.post(url, data).status_code == 302
    response = owner_client.post(url, data)
    assert response.status_code == 200
    first = LabDraw.objects.get()
    html = response.content.decode()
    assert "The same results are already saved for this day" in html
    assert reverse("draw_edit", args=[first.pk]) in html
    assert 'name="confirm_duplicate"' in html
    response = owner_client.post(url, data | {"confirm_duplicate": "2026-10-20"})
    assert response.status_code == 302
    assert LabDraw.objects.count() == 2


def test_another_draw_on_a_day_with_one_is_saved_and_pointed_out(owner_client, patient, url):
    owner_client.post(url, post_data("2026-10-20", ferritin=("64", "µg/L")))
    response = owner_client.post(url, post_data("2026-10-20", ferritin=("80", "µg/L")), follow=True)
    assert LabDraw.objects.count() == 2
    html = response.content.decode()
    assert "Saved beside the other draw of that day" in html
    assert reverse("draw_edit", args=[LabDraw.objects.order_by("pk").first().pk]) in html


def test_editing_a_draw_does_not_count_it_as_its_own_duplicate(owner_client, patient, url):
    owner_client.post(url, post_data("2026-10-20", ferritin=("64", "µg/L")))
    draw = LabDraw.objects.get()
    edit = reverse("draw_edit", args=[draw.pk])
    version = owner_client.get(edit).context["form"]["version"].value()
    data = post_data("2026-10-20", ferritin=("64", "µg/L")) | {"version": version}
    assert owner_client.post(edit, data).status_code == 302


def test_an_edit_that_leaves_a_confirmed_value_as_it_was_does_not_ask_again(
    owner_client, owner, patient, url
):
    # Every edit of the draw (here its note) asked again which number "1.050" is, and
    # whether an unusual 5.000 is right, though both were answered when it was saved.
    as_region(owner, "DE")
    data = post_data("20.10.2026", ferritin=("1.050", "µg/L"), hemoglobin=("5", "g/dL"))
    response = owner_client.post(url, data)
    pick = answer(response, "ferritin_reading", 0)
    keep = answer(response, "hemoglobin_check", 0)
    response = owner_client.post(url, data | {"ferritin_reading": pick, "hemoglobin_check": keep})
    assert response.status_code == 302
    edit = reverse("draw_edit", args=[LabDraw.objects.get().pk])
    version = owner_client.get(edit).context["form"]["version"].value()
    response = owner_client.post(edit, data | {"note": "fasting", "version": version})
    assert response.status_code == 302, response.context["form"].errors
    assert stored(patient)["ferritin"] == (1050, "1.050", "µg/L")
    assert LabDraw.objects.get().note == "fasting"
    # A text changed in the edit is asked about as any typed text is.
    version = owner_client.get(edit).context["form"]["version"].value()
    changed = data | {"ferritin": "2.050", "version": version}
    assert "ferritin" in owner_client.post(edit, changed).context["form"].errors


def test_the_delete_confirmation_lists_date_lab_and_values(owner_client, owner, patient, url):
    as_region(owner, "DE")
    owner_client.post(
        url,
        post_data("20.10.2026", "Labor Berlin", ferritin=("64", "µg/L")),
    )
    draw = LabDraw.objects.get()
    html = owner_client.get(reverse("draw_delete", args=[draw.pk])).content.decode()
    assert "20.10.2026, Labor Berlin: Ferritin 64 µg/L" in html


def test_a_unit_other_than_the_labs_last_one_is_asked_about(owner_client, owner, patient, url):
    as_region(owner, "US")
    first = post_data("9/20/2026", "Euro Lab", phosphate=("1.1", "mmol/L"))
    assert owner_client.post(url, first).status_code == 302
    # The next report from the same lab, the unit left at the region's mg/dL by mistake
    # (1.2 mg/dL is low but possible, so nothing else would stop it).
    again = post_data("10/20/2026", "euro lab", phosphate=("1.2", "mg/dL"))
    response = owner_client.post(url, again)
    assert response.status_code == 200
    error = response.context["form"].errors["phosphate"][0]
    assert "last time euro lab printed it in mmol/L; this one is in mg/dL" in error
    assert LabDraw.objects.count() == 1
    fixed = post_data("10/20/2026", "euro lab", phosphate=("1.2", "mmol/L"))
    assert owner_client.post(url, fixed).status_code == 302
    assert LabDraw.objects.count() == 2


def test_a_confirmed_change_of_unit_is_saved(owner_client, owner, patient, url):
    as_region(owner, "GB")
    owner_client.post(url, post_data("20/09/2026", "Lab A", ferritin=("30", "pmol/L")))
    data = post_data("20/10/2026", "Lab A", ferritin=("64", "µg/L"))
    response = owner_client.post(url, data)
    keep = answer(response, "ferritin_labunit", 0)
    assert owner_client.post(url, data | {"ferritin_labunit": keep}).status_code == 302
    # another lab, or the same unit under another spelling, is not asked about
    other = post_data("21/10/2026", "Lab B", ferritin=("70", "µg/L"))
    assert owner_client.post(url, other).status_code == 302
    same = post_data("22/10/2026", "Lab A", ferritin=("71", "ng/mL"))
    assert owner_client.post(url, same).status_code == 302


@pytest.mark.parametrize(
    "code, typed, message",
    [
        (
            "DE",
            "3.4.0025",
            "Date drawn must be from 01.01.1950 to today (30.11.2026). Read: 03.04.0025.",
        ),
        (
            "US",
            "12/1/2026",
            "Date drawn cannot be in the future: enter a date from 1/1/1950 to today "
            "(11/30/2026). Read: 12/1/2026.",
        ),
    ],
)
def test_a_date_out_of_range_is_refused_the_regions_way_saying_what_was_read(
    owner_client, owner, url, code, typed, message, time_machine
):
    # A slipped year ('0025') was refused as 'must be from 1950-01-01 to today
    # (2026-11-30)': ISO dates in a German form, and not a word of the date it had read.
    time_machine.move_to(datetime.datetime(2026, 11, 30, 12, 0), tick=False)
    as_region(owner, code)
    response = owner_client.post(url, post_data(typed, ferritin="64"))
    assert response.context["form"].errors["drawn_on"] == [message]
    assert not LabDraw.objects.exists()
