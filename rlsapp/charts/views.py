import json

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from rlsapp.domain import medicines
from rlsapp.tracking.access import get_patient_for_user
from rlsapp.tracking.caching import CACHE_SECONDS, person_key
from rlsapp.tracking.models import Infusion
from rlsapp.tracking.treatments import Medication, OralIronCourse

from . import report as report_data
from .data import build_chart_data, latest_values
from .queries import load_history


@never_cache
@login_required
@require_GET
def chart_data(request, pk):
    # As the patient page: cached under the person's data version, read after the access
    # check (web/views.py).
    patient = get_patient_for_user(request, pk)

    def build():
        data = build_chart_data(patient, load_history(patient), timezone.localdate())
        return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)

    key = person_key("chart-json", patient, request.user)
    body = cache.get_or_set(key, build, CACHE_SECONDS)
    return HttpResponse(body, content_type="application/json")


def _tsat_note(history):
    """The guideline note for a latest transferrin saturation of 45 % or more (issue 17)."""
    tsat = history.series("tsat")
    if not tsat or tsat[-1].comparator in ("<", "<="):
        return None
    return medicines.tsat_note(tsat[-1].value)


@never_cache
@login_required
@require_GET
def report(request, pk):
    patient = get_patient_for_user(request, pk)
    history = load_history(patient)
    charts = build_chart_data(patient, history, timezone.localdate())
    region = request.user.region_rules
    # One query, whatever the history: the chart history has no reactions in it.
    infusions = list(
        Infusion.objects.filter(patient=patient).order_by("-given_on", "-pk")[
            : report_data.MAX_INFUSIONS
        ]
    )
    # The printed pages hold the newest infusions' declines; every one is on the person page.
    episodes = charts["episodes"]
    context = {
        "patient": patient,
        "charts": charts | {"episodes": episodes[-report_data.MAX_EPISODES :]},
        "earlier_episodes": max(0, len(episodes) - report_data.MAX_EPISODES),
        "results": report_data.results_table(patient, history, charts, region),
        "infusions": infusions,
        "earlier_infusions": len(history.infusions) - len(infusions),
        "latest": report_data.latest_flags(latest_values(history, region), patient, history),
        "age": report_data.age(patient.birth_date, timezone.localdate()),
        "infusion_count": len(history.infusions),
        "last_infusion": history.infusions[-1] if history.infusions else None,
        "tsat_note": _tsat_note(history),
        "courses": list(OralIronCourse.objects.filter(patient=patient)),
        "medications": list(Medication.objects.filter(patient=patient).prefetch_related("events")),
        "today": timezone.localdate(),
    }
    return render(request, "charts/report.html", context)
