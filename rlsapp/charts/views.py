from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from rlsapp.tracking.access import get_patient_for_user

from .data import build_chart_data, latest_values
from .queries import load_history


@never_cache
@login_required
@require_GET
def chart_data(request, pk):
    patient = get_patient_for_user(request, pk)
    data = build_chart_data(patient, load_history(patient), timezone.localdate())
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@never_cache
@login_required
@require_GET
def report(request, pk):
    patient = get_patient_for_user(request, pk)
    history = load_history(patient)
    charts = build_chart_data(patient, history, timezone.localdate())
    context = {
        "patient": patient,
        "charts": charts,
        "latest": latest_values(history),
        "infusion_count": len(history.infusions),
        "last_infusion": history.infusions[-1] if history.infusions else None,
        "today": timezone.localdate(),
    }
    return render(request, "charts/report.html", context)
