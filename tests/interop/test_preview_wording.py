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
