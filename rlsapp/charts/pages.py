"""What the chart JSON and the report page show, built once for whoever asks: the app's
own views (views.py) and a read-only link's (rlsapp/links), so the two can never differ."""

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from rlsapp.domain import medicines
from rlsapp.tracking.models import Infusion
from rlsapp.tracking.treatments import Medication, OralIronCourse

from . import printed
from . import report as report_data
from .data import CHART_ANALYTES, build_chart_data, latest_values
from .queries import load_history

# What orjson does not write itself (a Decimal, a lazy translation), written as Django does.
_DJANGO_TYPES = DjangoJSONEncoder()


def chart_data(patient, region=None) -> dict:
    """Everything the charts show of a person today: the chart JSON's and the charts page's,
    with numbers in the reading account's `region` (build_chart_data)."""
    history = load_history(patient, CHART_ANALYTES)
    return build_chart_data(patient, history, timezone.localdate(), region)


def chart_json(patient, region=None) -> bytes:
    """The chart JSON's body, compact UTF-8: orjson writes the same values as json.dumps,
    in C throughout (a ten-year history is tens of kilobytes of it)."""
    return orjson.dumps(chart_data(patient, region), default=_DJANGO_TYPES.default)


def _tsat_note(history):
    """The guideline note for a latest transferrin saturation of 45 % or more (issue 17)."""
    tsat = history.series("tsat")
    if not tsat or tsat[-1].comparator in ("<", "<="):
        return None
    return medicines.tsat_note(tsat[-1].value)


def report_context(patient, region) -> dict:
    """The printed report's context (templates/charts/report.html), in `region`'s numbers."""
    today = timezone.localdate()
    history = load_history(patient)
    charts = build_chart_data(patient, history, today, region)
    # One query, whatever the history: the chart history has no reactions in it.
    infusions = list(
        Infusion.objects.filter(patient=patient).order_by("-given_on", "-pk")[
            : report_data.MAX_INFUSIONS
        ]
    )
    courses = list(OralIronCourse.objects.filter(patient=patient))
    medications = list(Medication.objects.filter(patient=patient).prefetch_related("events"))
    report_data.written_treatments(courses, medications, region)
    printed.with_printed_events(medications)
    # The tables share two printed pages; each says how many of its rows are left out.
    episodes = charts["episodes"][-report_data.MAX_EPISODES :]
    treatments = printed.newest_treatments(courses, medications)
    draws = report_data.draws_of(history)[-report_data.MAX_ROWS :][::-1]
    with_lab = len({d["lab"] for d in draws}) > 1
    latest_all = latest_values(history, region, patient.ferritin_threshold)
    tsat_note = _tsat_note(history)
    latest, shown = [], None
    # Fewer results rows may list more latest values below them: fitted again until settled.
    for _ in range(4):
        shown = printed.fit_report(
            draws,
            with_lab,
            infusions,
            episodes,
            treatments,
            latest,
            charts.get("projection"),
            [tsat_note],
        )
        results = report_data.results_table(patient, history, charts, region, shown["results"])
        again = report_data.latest_flags(
            [dict(row) for row in latest_all], patient, history, results
        )
        if len(again) <= len(latest):
            break
        latest = again
    latest = again
    kept = set(map(id, treatments[: shown["treatments"]]))
    return {
        "patient": patient,
        # Printed and handed to a clinician: "this person's", never "your", whoever opens it.
        "third_person": True,
        "charts": charts | {"episodes": episodes[len(episodes) - shown["episodes"] :]},
        "earlier_episodes": len(charts["episodes"]) - shown["episodes"],
        "results": results,
        "infusions": printed.with_printed_reactions(infusions[: shown["infusions"]]),
        "earlier_infusions": len(history.infusions) - shown["infusions"],
        "latest": latest,
        "any_results": bool(history.results),
        "age": report_data.age(patient.birth_date, today),
        "infusion_count": len(history.infusions),
        "last_infusion": history.infusions[-1] if history.infusions else None,
        "tsat_note": tsat_note,
        "courses": [c for c in courses if id(c) in kept],
        "medications": [m for m in medications if id(m) in kept],
        "earlier_treatments": len(treatments) - shown["treatments"],
        "today": today,
    }
