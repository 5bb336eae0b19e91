"""A value is never rounded onto or across a limit it is flagged against: typed 99.6 µg/L
with a threshold of 100 read '100 µg/L low (below threshold 100)', and Hb 11.96 g/dL
'12 g/dL low (below range 12–16)' (units.shown_decimals)."""

import datetime
import re

import pytest
from django.urls import reverse

from rlsapp.domain import formats, regions, units
from rlsapp.domain.units import measure
from rlsapp.tracking import services
from rlsapp.tracking.models import LabDraw


@pytest.mark.parametrize(
    "code, value, threshold, shown",
    [
        ("ferritin", 99.6, 100, "99.6"),
        ("ferritin", 99.96, 100, "99.96"),
        ("ferritin", 100.4, 100, "100.4"),
        ("ferritin", 74.6, None, "74.6"),  # the 75 µg/L line
        ("ferritin", 45.2, 100, "45"),  # far from every limit: as before
        ("ferritin", 99.688, 100, "99.7"),  # 224 pmol/L: one decimal is enough
        ("hemoglobin", 11.96, None, "11.96"),
        ("hemoglobin", 13.14, None, "13.1"),
        ("tsat", 19.6, None, "19.6"),
    ],
)
def test_the_decimals_stop_short_of_a_limit(code, value, threshold, shown):
    region = regions.get(None)
    text = formats.format_result(code, value, "", region, threshold)
    assert text == f"{shown} {units.ANALYTES[code].display_unit}"


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_pages_show_a_value_below_the_threshold_as_below_it(client, owner, patient):
    day = datetime.date.today() - datetime.timedelta(days=3)
    draw = LabDraw(patient=patient, drawn_on=day, lab_name="X")
    services.save_draw(
        draw,
        {
            "ferritin": measure("ferritin", "99.6", "µg/L"),
            "hemoglobin": measure("hemoglobin", "11.96", "g/dL"),
        },
    )
    client.force_login(owner)
    page = text_of(client.get(reverse("patient_detail", args=[patient.pk])))
    assert "100 µg/L low" not in page and "12 g/dL low" not in page
    assert page.count("99.6 µg/L low (below threshold 100)") == 2  # latest values, table
    assert page.count("11.96 g/dL low (below range 12–16)") == 2
    worklist = text_of(client.get(reverse("worklist")))
    assert "99.6 µg/L below threshold 100" in worklist
    table = text_of(client.get(reverse("patient_chart_table", args=[patient.pk])))
    assert "99.6" in table and "11.96" in table


def test_the_report_shows_a_value_below_the_threshold_as_below_it(client, owner, patient):
    day = datetime.date.today() - datetime.timedelta(days=3)
    services.save_draw(
        LabDraw(patient=patient, drawn_on=day - datetime.timedelta(days=30), lab_name="X"),
        {"ferritin": measure("ferritin", "99.6", "µg/L")},
    )
    services.save_draw(
        LabDraw(patient=patient, drawn_on=day, lab_name="X"),
        {"hemoglobin": measure("hemoglobin", "11.96", "g/dL")},
    )
    client.force_login(owner)
    page = text_of(client.get(reverse("patient_report", args=[patient.pk])))
    # The results table (both) and the latest values below it (the ferritin is older).
    assert "99.6 low (below threshold 100)" in page
    assert "11.96 low (below range 12–16)" in page
    assert "100 low (below threshold 100)" not in page
