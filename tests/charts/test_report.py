"""The printed report a doctor keeps (issue 16 item 2): results over time flagged in words,
infusions with reactions, the full birth date, and a title that fits whoever prints it."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rlsapp.tracking.models import Infusion, SymptomScore

from .helpers import DAY0, add_draw, add_long_history, week


def report(client, patient):
    response = client.get(reverse("patient_report", args=[patient.pk]))
    assert response.status_code == 200
    return response.content.decode()


NONE = "· not measured"  # a dot on the page, words for a screen reader


def results_rows(html):
    """The results table's rows as text, newest first: [date, ferritin, TSAT, Hb, Hct, phos]."""
    table = html[
        html.index('id="report-results"') : html.index(
            "</table>", html.index('id="report-results"')
        )
    ]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table[table.index("<tbody>") :], re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in cells])
    return rows


@pytest.fixture
def history(patient):
    patient.birth_date = datetime.date(1961, 3, 14)
    patient.save()
    add_draw(patient, DAY0 - datetime.timedelta(days=7), ferritin=19, tsat=12, phosphate=3.1)
    Infusion.objects.create(
        patient=patient,
        given_on=DAY0,
        product="fcm",
        dose_mg=1000,
        reaction="Flushing for ten minutes; infusion slowed",
    )
    add_draw(patient, week(6), ferritin=512, phosphate=2.2, hemoglobin=16.5, hematocrit=44)
    add_draw(patient, week(60), ferritin=350, tsat=31)
    return patient


def test_the_title_fits_a_clinician_or_a_patient_printing_it(owner_client, history):
    html = report(owner_client, history)

    assert "Report for my clinician" not in html
    assert '<h1 class="h4 mb-0">Ferritin and iron report: Alice</h1>' in html
    # The window title is the PDF's file name.
    assert re.search(
        r"<title>Ferritin and iron report: Alice, \d+ \w+ \d{4} · rlsapp</title>", html
    )


def test_the_full_birth_date_and_age_are_printed(owner_client, history, today):
    html = report(owner_client, history)

    age = today.year - 1961 - ((today.month, today.day) < (3, 14))
    # at the head of every printed report, beside the name: two people may share one
    assert f"Born 14 Mar 1961 (age {age}) · Female · from rlsapp" in html


def test_results_over_time_are_flagged_in_words_against_the_ranges(owner_client, history):
    html = report(owner_client, history)

    rows = results_rows(html)
    assert rows == [
        [
            "24 Feb 2025",
            "350 high (above range 30–300)",
            "31",
            NONE,
            NONE,
            NONE,
        ],
        [
            "12 Feb 2024",
            # the expected rise six weeks after the infusion, not an alarm
            "512 after infusion (above range 30–300, 6 weeks after an infusion: ferritin rises "
            "as infused iron enters the stores, then falls)",
            NONE,
            "16.5 high (above range 12–16)",  # Alice's range: female
            "44",
            "2.2 low (below range 2.5–4.5)",
        ],
        [
            "25 Dec 2023",
            "19 low (below threshold 100)",
            "12 low (below range 20–50)",
            NONE,
            NONE,
            "3.1",
        ],
    ]
    # one lab for every row: named once under the table, not on each row
    assert "Newest first, every one from City Lab (Roche)." in html
    assert "Lab or assay</th>" not in html
    # the ranges head the columns, so a printed page needs no hover
    heads = re.sub(r"<[^>]+>", "", html[html.index("<thead>", html.index('id="report-results"')) :])
    assert "range 30–300; threshold 100" in heads and "range 12–16" in heads


def test_two_labs_on_one_day_are_two_rows_each_with_its_lab(owner_client, patient):
    day = week(10)
    add_draw(patient, day, lab="City Lab (Roche)", ferritin=80)
    add_draw(patient, day, lab="GP practice (Beckman)", hemoglobin=13.1)
    rows = results_rows(report(owner_client, patient))
    # newest first: the draw entered later on the same day comes first
    assert [(row[0], row[1], row[3], row[-1]) for row in rows] == [
        ("11 Mar 2024", NONE, "13.1", "GP practice (Beckman)"),
        ("11 Mar 2024", "80 low (below threshold 100)", NONE, "City Lab (Roche)"),
    ]


def test_infusions_are_listed_with_product_dose_and_reaction(owner_client, history):
    html = report(owner_client, history)

    section = html[html.index('id="report-infusions"') :]
    section = section[: section.index("</table>")]
    assert "1 Jan 2024" in section
    assert "Ferric carboxymaltose" in section and "1000 mg" in section
    assert "Flushing for ten minutes; infusion slowed" in section


def test_the_fitted_decline_and_the_estimate_with_its_range_are_in_the_report(
    owner_client, patient
):
    add_draw(patient, DAY0, ferritin=40)
    Infusion.objects.create(patient=patient, given_on=DAY0, product="fcm", dose_mg=1000)
    for n, value in [(4, 403.6), (8, 377.2), (12, 350.8), (16, 324.4)]:
        add_draw(patient, week(n), ferritin=value)

    html = report(owner_client, patient)

    assert 'id="infusion-kinetics"' in html and "6.6" in html  # µg/L per week
    assert 'id="projection-note"' in html and "8 in 10" in html


def test_the_latest_values_carry_the_flag_words_too(owner_client, history):
    # Iron has no column in the results table: its newest value is listed below it.
    add_draw(history, week(61), iron=30)

    html = report(owner_client, history)

    latest = html[html.index('id="latest-heading"') :]
    assert "Latest values not in the table above</h2>" in latest
    assert re.search(r"Serum iron</th><td>30 µg/dL</td><td><span class=\"flag flag-low\"", latest)


def test_the_latest_values_leave_out_what_the_results_table_shows(owner_client, history):
    # Every newest result is in a row of the table: listed twice, the report took a third
    # printed page. The notes that went with the list stay.
    html = report(owner_client, history)

    assert 'id="latest-heading"' not in html and "Latest values table" not in html
    assert "Beckman 100 ≈ Roche 158" in html
    assert "2.2" in " ".join(cell for row in results_rows(html) for cell in row)


def test_a_long_history_keeps_the_newest_rows_and_says_how_many_are_left_out(owner_client, patient):
    add_long_history(patient, 30)

    html = report(owner_client, patient)

    assert len(results_rows(html)) == 12
    assert "18 earlier draws not shown;" in html


def test_ten_infusions_print_the_newest_and_say_where_the_rest_are(owner_client, patient):
    add_long_history(patient, 500)  # ten infusions

    html = report(owner_client, patient)

    kinetics = html[
        html.index('id="infusion-kinetics"') : html.index(
            "</table>", html.index('id="infusion-kinetics"')
        )
    ]
    assert kinetics.count("<tr data-infusion=") == 4
    assert (
        "The newest 4 infusions; 6 earlier ones are compared on the person’s “Charts and "
        "numbers” page" in html
    )
    assert html.count('<th scope="row" class="date">') >= 6 + 12  # infusions, results
    assert "4 earlier infusions not listed here" in html


def report_queries(client, patient) -> int:
    with CaptureQueriesContext(connection) as queries:
        report(client, patient)
    return len(queries)


def test_the_query_count_does_not_grow_with_the_history(owner_client, patient):
    add_draw(patient, DAY0, ferritin=40)
    Infusion.objects.create(patient=patient, given_on=DAY0, product="fcm", dose_mg=1000)
    small = report_queries(owner_client, patient)
    add_long_history(patient, 500)
    assert report_queries(owner_client, patient) == small


def test_the_report_says_once_that_it_gives_no_medical_advice(owner_client, history):
    html = report(owner_client, history)
    assert html.count("it does not give medical advice") == 1
    # Other pages keep the site's footer.
    page = owner_client.get(history.get_absolute_url()).content.decode()
    assert "rlsapp tracks; it does not give medical advice." in page


def test_the_printed_caption_asks_for_no_pointing_or_tapping(owner_client, history):
    """Paper has no tooltip and no legend to tap: the report's caption names the lines
    without those hints, which the charts page keeps."""
    html = report(owner_client, history)
    assert "The legend names every line." in html
    assert "tap an entry" not in html and "point at a point" not in html
    page = owner_client.get(reverse("patient_charts", args=[history.pk])).content.decode()
    assert "tap an entry to show or hide it" in page
    assert "point at a point for its value and unit" in page


def test_the_printed_caption_names_only_the_right_axis_lines_it_draws(owner_client, history):
    """The report draws hemoglobin, hematocrit and TSAT only in its tables (the charts page
    shows them on request), so its caption names the right axis only for symptom scores,
    which it draws."""
    html = report(owner_client, history)
    assert "Right axis" not in html and "hematocrit and TSAT (%)" not in html
    page = owner_client.get(reverse("patient_charts", args=[history.pk])).content.decode()
    assert "Right axis: hemoglobin (g/dL), hematocrit and TSAT (%)" in page

    SymptomScore.objects.create(patient=history, recorded_on=DAY0, severity=6)
    assert "Right axis: the symptom score (0–10)." in report(owner_client, history)
