"""The person page writes its history chart section in Python (web/person_charts.py); the
charts page and the report include charts/history_chart.html. For every state the page's
chart outline can be in, every flag, role and reader, the two write the same text."""

import datetime
import itertools
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string

from rlsapp.charts import data
from rlsapp.charts.data import BLOOD_SERIES
from rlsapp.domain import kinetics
from rlsapp.tracking.memberships import EDITOR, OWNER, VIEWER
from rlsapp.tracking.templatetags.links import links_of
from rlsapp.web.person_charts import history_chart
from rlsapp.web.person_page import chart_outline

PK = 4321


def person(role, threshold=100.0, leave_out_oral_iron=True):
    return SimpleNamespace(
        pk=PK, role=role, ferritin_threshold=threshold, leave_out_oral_iron=leave_out_oral_iron
    )


def newest_ferritin(n, left_out=0, value=324.4, comparator=""):
    draw = SimpleNamespace(drawn_on=datetime.date(2024, 9, 3))
    return SimpleNamespace(
        n=n,
        first=datetime.date(2023, 12, 15),
        left_out=left_out,
        draw=draw,
        value=value,
        comparator=comparator,
    )


def template_text(charts, patient, me: bool) -> str:
    """The template as the person page included it: the page's context (no report), the
    reader's account on the request, the one ferritin point's day as the chart data (which
    the template reads) writes a point's day."""
    request = SimpleNamespace(user=SimpleNamespace(me_id=PK if me else None))
    points = [
        point | {"date": data._point(kinetics.Point(point["date"], point["value"]))["date"]}
        for point in charts["ferritin"]
    ]
    charts = charts | {"ferritin": points}
    return render_to_string(
        "charts/history_chart.html", {"charts": charts, "patient": patient, "request": request}
    )


def outlines():
    """(patient, charts) for each state and flag the chart outline can hold."""
    blood_sets = [
        set(chosen)
        for size in range(len(BLOOD_SERIES) + 1)
        for chosen in itertools.combinations(BLOOD_SERIES, size)
    ]
    both = (False, True)
    ferritins = (None, newest_ferritin(1), newest_ferritin(6), newest_ferritin(6, left_out=2))
    roles = (OWNER, EDITOR, VIEWER)
    choices = itertools.product(roles, ferritins, both, both, blood_sets, both, both, both)
    for role, ferritin, infusions, scores, blood, courses, leave_out, medicines in choices:
        patient = person(role, leave_out_oral_iron=leave_out)
        latest = {code: object() for code in blood}
        if ferritin is not None:
            latest["ferritin"] = ferritin
        courses = ["course"] if courses else []
        yield patient, chart_outline(patient, latest, infusions, scores, courses, medicines)


def test_the_page_writes_the_templates_text_for_every_outline():
    compared = set()
    for patient, charts in outlines():
        for me in (False, True):
            assert history_chart(charts, patient, me, links_of(PK)) == template_text(
                charts, patient, me
            ), (patient, charts, me)
            compared.add(charts["states"]["history"])
    assert compared == {"no_ferritin", "one_ferritin", None}


@pytest.mark.parametrize(
    ("value", "comparator", "threshold"),
    [(5.0, "<", 100.0), (1200.0, ">=", 75.5), (12.25, "<=", 50.0), (88.0, "", 120.25)],
)
def test_values_bounds_and_thresholds_are_written_as_the_template_writes_them(
    value, comparator, threshold
):
    for role, infusions in itertools.product((OWNER, VIEWER), (False, True)):
        patient = person(role, threshold=threshold)
        for n in (1, 3):
            latest = {"ferritin": newest_ferritin(n, value=value, comparator=comparator)}
            charts = chart_outline(patient, latest, infusions, False, [], False)
            assert history_chart(charts, patient, False, links_of(PK)) == template_text(
                charts, patient, False
            )


def test_an_estimate_note_is_refused_not_left_out():
    # The template writes charts/projection_note.html for one; the page never has one.
    patient = person(OWNER)
    charts = chart_outline(patient, {"ferritin": newest_ferritin(6)}, True, False, [], False)
    charts["projection"] = {"status": "estimate"}
    with pytest.raises(ValueError):
        history_chart(charts, patient, False, links_of(PK))
