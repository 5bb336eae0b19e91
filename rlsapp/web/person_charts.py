"""The person page's history chart section (its canvas, caption and series toggles, or why
there is no chart yet) written in Python: what charts/history_chart.html writes for the
page's chart outline (person_page.chart_outline), without a report and with no estimate
note (the page leaves the estimate's details to the charts page).

The charts page and the printable report still include the template; this writes the same
text, whitespace included, for the person page alone, where the template engine paid for
each of some thirty conditions and variables one by one. tests/web/test_person_charts_html.py
renders the template beside this for every state, flag, role and reader, so a change to
the one that is not made to the other fails there.
"""

from django.template.defaultfilters import floatformat

from rlsapp.domain import units
from rlsapp.tracking.record_rows import esc
from rlsapp.tracking.templatetags.person_words import whose_words
from rlsapp.tracking.templatetags.roles import can

from .worklist_html import day_text

EMPTY_START = '\n\n<div class="alert alert-light border chart-empty" role="status">\n  '
FIGURE = (
    '\n\n<figure class="chart-figure mb-2">\n  <div class="chart-box chart-box-history">\n'
    '    <canvas id="history-chart" role="img" tabindex="0" aria-label="Ferritin over time '
    'with infusions marked" aria-describedby="history-summary"></canvas>\n  </div>\n'
    '  <figcaption class="small text-body-secondary mt-1">\n'
    "    Ferritin (µg/L, left axis) over time."
)
RIGHT_AXIS = (
    " Right axis: hemoglobin (g/dL), hematocrit and TSAT (%) and the symptom score (0–10) "
    "share one plain scale, so the chart keeps two axes; point at a point for its value "
    "and unit."
)
LEFT_OUT = (
    " Hollow points: results left out of the decline fit, with the reason when you point at "
    "them (illness, inflammation, another lab; “Put back” in the lab results undoes it)."
)
ORAL_IRON_LEFT_OUT = (
    "; hollow points during them are left out of the decline fit, since ferritin rises "
    "while iron is taken (a setting)"
)
MEDICINES = (
    " Strips along the foot: RLS medicines (amber: dopamine agonists); dashed lines: "
    "augmentation and other medicine events."
)
TOGGLES_START = (
    "\n  </figcaption>\n</figure>\n\n"
    '<fieldset class="series-toggles d-flex flex-wrap gap-3 small mb-2 d-print-none">\n'
    '  <legend class="visually-hidden">Show on the chart</legend>\n  '
)
SYMPTOMS_TOGGLE = (
    '\n  <div class="form-check form-check-inline m-0">\n'
    '    <input class="form-check-input" type="checkbox" id="toggle-symptoms" '
    'data-series-toggle="symptoms" checked>\n'
    '    <label class="form-check-label" for="toggle-symptoms">Symptom score (0–10)</label>\n'
    "  </div>\n  "
)
# The fieldset's end, the (empty) estimate note's include and the template's own ends.
TOGGLES_END = "\n</fieldset>\n\n\n\n\n"


def _toggle(series) -> str:
    code = esc(series["code"])
    return (
        '\n  <div class="form-check form-check-inline m-0">\n'
        f'    <input class="form-check-input" type="checkbox" id="toggle-{code}" '
        f'data-series-toggle="{code}">\n'
        f'    <label class="form-check-label" for="toggle-{code}">{esc(series["label"])} '
        f"({esc(series['unit'])})</label>\n  </div>\n  "
    )


def history_chart(charts, patient, me: bool, to) -> str:
    """charts/history_chart.html for the person page's `charts` (chart_outline's), to the
    reader who marked the person "This is me" (`me`) or not; `to`: links_of(patient.pk)."""
    if charts.get("projection"):
        raise ValueError("the person page writes no estimate note under its chart")
    state = charts["states"]["history"]
    edit = can(patient, "edit")
    if state == "no_ferritin":
        if not edit:
            offer = "Ferritin results appear here once they are entered."
        else:
            then = (
                "the chart will show how it rose and fell around the infusions."
                if charts["episodes"]
                else f'then <a href="{to("infusion_create")}">the infusions</a> to see how '
                "ferritin rose and fell after each."
            )
            offer = (
                f'<a href="{to("draw_create")}">Add a lab result</a> with ferritin, copied '
                f"from any lab report (older ones too), and {then}"
            )
        return f"{EMPTY_START}<strong>No ferritin results yet.</strong>\n  {offer}\n</div>\n\n"
    if state == "one_ferritin":
        [one] = charts["ferritin"]
        value = f"{esc(units.comparator_symbol(one['comparator'] or ''))}"
        value += floatformat(one["value"], "-1")
        day = day_text(one["date"])
        more = (
            f'<a href="{to("draw_create")}">Add an earlier or later result</a>, or '
            f'<a href="{to("infusion_create")}">an infusion</a>.'
            if edit
            else ""
        )
        return (
            f"{EMPTY_START}<strong>One ferritin result so far</strong> ({value} µg/L on "
            f"{day}). A trend needs two.\n  {more}\n</div>\n\n"
        )
    blood = charts["blood"]
    parts = [FIGURE]
    if charts["infusions"]:
        parts.append(" Black vertical lines: infusions, named above the chart.")
    parts.append(
        f" Orange-red line: {esc(whose_words(me))} threshold "
        f"({floatformat(charts['threshold'], '-1')} µg/L); grey dotted: 75 and 300 µg/L. "
        "Triangles: results given as a bound (such as “&lt;5”)."
    )
    if charts["symptoms"] or any(series["points"] for series in blood[:3]):
        parts.append(RIGHT_AXIS)
    parts.append(" The legend names every line; tap an entry to show or hide it.")
    if charts["left_out_by_hand"]:
        parts.append(LEFT_OUT)
    if charts["courses"]:
        parts.append(" Green bands: oral iron courses")
        if charts["oral_iron_left_out"]:
            parts.append(ORAL_IRON_LEFT_OUT)
        parts.append(".")
    if charts["medicines"]:
        parts.append(MEDICINES)
    parts.append(TOGGLES_START)
    parts.extend(_toggle(series) for series in blood if series["points"])
    parts.append("\n  ")
    if charts["symptoms"]:
        parts.append(SYMPTOMS_TOGGLE)
    parts.append(TOGGLES_END)
    return "".join(parts)
