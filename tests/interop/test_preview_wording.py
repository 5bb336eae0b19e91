"""The preview and the fit table say each thing once, in one way (issue 18 item 6)."""

import re

import pytest
from django.urls import reverse

from rlsapp.interop.preview import _shorter

from .helpers import preview

pytestmark = pytest.mark.django_db


def test_an_infusions_only_file_is_not_read_as_one_row_per_draw(owner_client, patient):
    _, page = preview(owner_client, patient, "infusions_only.csv")
    assert "Read as one row per infusion." in page
    assert "per draw" not in page


def test_a_value_entered_with_a_trailing_zero_is_not_repeated_as_entered(owner_client, patient):
    _, page = preview(owner_client, patient, "hematocrit_percent.csv")
    assert "Hematocrit 40 %" in page
    assert "Hematocrit 38.5 %" in page
    assert "as entered" not in page


@pytest.mark.parametrize(
    "entered, shown",
    [("40.0", "40"), ("38.50", "38.5"), ("<5.0", "<5"), ("400", "400"), ("36,50", "36,50")],
)
def test_only_zeros_that_change_nothing_are_dropped(entered, shown):
    assert _shorter(entered) == shown


def test_the_fit_table_shows_every_peak_and_baseline_in_whole_ug_per_l(owner_client, patient):
    url, _ = preview(owner_client, patient, "fit_table_peaks.csv")
    owner_client.post(url, {"action": "confirm"})
    page = owner_client.get(reverse("patient_charts", args=[patient.pk])).content.decode()
    peaks = re.findall(r'<td class="peak">([^<]*)</td>', page)
    baselines = re.findall(r'<td class="baseline">([^<]*)</td>', page)
    assert peaks == ["374", "405"] or peaks == ["405", "374"]
    assert sorted(baselines) == ["30", "80"]


def test_one_test_not_imported_is_one_test(owner_client, patient):
    _, page = preview(owner_client, patient, "us_portal_export.csv")
    assert "Not imported: 1 test rlsapp does not track (VITAMIN D 25-OH)" in page
    assert "1 tests" not in page


def test_what_was_left_out_is_singular_for_one_and_plural_for_more():
    from rlsapp.interop.preview import skipped_lines

    lines = skipped_lines(
        {"blank rows": 1, "tests without a value": 2, "Patient resources that are not IV iron": 1}
    )
    assert lines == [
        (1, "Patient resource that is not IV iron"),
        (1, "blank row"),
        (2, "tests without a value"),
    ]


@pytest.mark.parametrize("region, shown", [("DE", "1.050"), ("SE", "1\u00a0050")])
def test_a_grouped_thousand_written_back_as_typed_is_not_repeated_as_entered(
    owner_client, owner, patient, region, shown
):
    # A German file's '1.050' (ferritin 1050, written back '1.050') read 'Ferritin 1.050 µg/L
    # (as entered: 1.050 µg/L)': the entered text's point was taken for a decimal point
    # with a trailing zero. A Swedish file's '1 050' likewise (written with a no-break space).
    owner.region = region
    owner.save()
    content = f"Datum;Ferritin (µg/L)\r\n03.04.2025;{shown.replace(chr(160), ' ')}\r\n".encode()
    _, page = preview(owner_client, patient, "grouped.csv", content)
    assert f"Ferritin {shown} µg/L" in page
    assert "as entered" not in page


def test_a_file_of_grouped_thousands_keeps_the_entered_text_only_where_it_differs(
    owner_client, owner, patient
):
    owner.region = "DE"
    owner.save()
    _, page = preview(owner_client, patient, "grouped_thousands_de.csv")
    assert "Ferritin 1.050 µg/L" in page and "Ferritin 1.250 µg/L" in page
    assert page.count("as entered") == 0
