"""The person page's charts section around the charts drawn from the chart JSON: the history
chart in words and the infusions-compared chart (or the note that replaces it). Written in
Python as the rest of the page is (person_sections.py)."""

from django.template.defaultfilters import floatformat
from django.utils.formats import localize

from rlsapp.charts.templatetags.charts_tags import comparator_symbol
from rlsapp.tracking.record_rows import esc, left_out_of
from rlsapp.tracking.templatetags.roles import can

from .worklist_html import day_text


def chart_words(charts, to, periods=()) -> str:
    """The history chart in words, when it is drawn: how many ferritin results, over which
    days, and the latest, with why it is left out of the fits when it is (`periods`:
    record_rows.draw_table's), as the chart's point says."""
    if charts["states"]["history"] is not None:
        return ""
    latest = charts["latest_ferritin"]
    value = f"{esc(comparator_symbol(latest.comparator))}{floatformat(latest.value, '-1')} µg/L"
    left_out = left_out_of(latest.draw, periods)
    if left_out:
        value += f" ({esc(left_out)})"
    day = day_text(latest.draw.drawn_on)
    count = charts["ferritin_count"]
    if count == 1:
        words = f"one ferritin result, {value} on {day}"
    else:
        first = day_text(charts["first_ferritin_on"])
        words = f"{esc(localize(count))} ferritin results from {first} to {day}, the latest {value}"
    return (
        '\n  <p class="small text-body-secondary chart-summary" id="history-summary">'
        f"In words: {words}. The estimate’s details and each infusion’s rise and fall in "
        f'numbers: <a href="{to("patient_charts")}">charts and numbers</a>; every test and '
        f'symptom score by date: <a href="{to("patient_chart_table")}" id="results-table-link">'
        f'the results table</a>; to change one, <a href="{to("draw_list")}">all lab results</a>.'
        "</p>\n  "
    )


def overlay(charts, patient, to) -> str:
    """The infusions-compared chart, or a note saying there is no infusion to compare."""
    edit = can(patient, "edit")
    if charts["states"]["overlay"] == "no_infusions":
        add = (
            f'<a href="{to("infusion_create")}">Add an infusion</a> with its date and dose; with'
            if edit
            else "With"
        )
        return (
            '\n  <div class="alert alert-light border chart-empty" role="status">\n'
            f"    <strong>No infusions recorded.</strong> {add} ferritin results from before "
            "and after it, this chart lays each infusion’s rise and fall side by side."
            "\n  </div>\n  "
        )
    add = f'<a href="{to("draw_create")}">Add a lab result</a>.' if edit else ""
    # Whether any infusion has two results after it is known once the chart data is in:
    # patient_charts.js shows the note instead of an empty chart then.
    return (
        "\n  \n"
        '  <div class="alert alert-light border chart-empty overlay-empty d-none" role="status">\n'
        "    <strong>Not enough results after an infusion yet.</strong> A decline shows with "
        f"two or more ferritin results after an infusion. {add}\n  </div>\n"
        '  <figure class="chart-figure mb-2">\n'
        '    <div class="chart-box chart-box-overlay">\n'
        '      <canvas id="overlay-chart" role="img" tabindex="0" aria-labelledby="overlay-heading"'
        ' aria-describedby="overlay-caption"></canvas>\n    </div>\n'
        '    <figcaption class="small text-body-secondary mt-1" id="overlay-caption">Ferritin by '
        "weeks since each infusion, one colour per infusion; dashed: its fitted decline. The "
        f'numbers: <a href="{to("patient_charts")}#infusions-compared">infusions compared</a>.'
        "</figcaption>\n  </figure>\n  "
    )
