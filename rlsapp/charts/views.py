from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from rlsapp.tracking import access_log
from rlsapp.tracking.access import get_patient_for_user
from rlsapp.tracking.caching import CACHE_SECONDS, person_key

from . import pages


@never_cache
@login_required
@require_GET
def chart_data(request, pk):
    # As the patient page: cached under the person's data version, read after the access
    # check (web/views.py).
    patient = get_patient_for_user(request, pk)
    access_log.not_a_page(request)  # the page that fetches it (person page, report) is logged
    key = person_key("chart-json", patient, request.user)
    region = request.user.region_rules  # in the key: the account's data version
    body = cache.get_or_set(key, lambda: pages.chart_json(patient, region), CACHE_SECONDS)
    return HttpResponse(body, content_type="application/json")


@never_cache
@login_required
@require_GET
def report(request, pk):
    patient = get_patient_for_user(request, pk)
    context = pages.report_context(patient, request.user.region_rules)
    return render(request, "charts/report.html", context)


@never_cache
@login_required
@require_GET
def charts_page(request, pk):
    """Everything the charts show, in full: both charts, the current estimate with what went
    into it, and each infusion's rise and fall compared in a table. The person page keeps
    the charts and links here for the estimate's details and the numbers."""
    patient = get_patient_for_user(request, pk)
    context = {"patient": patient, "charts": pages.chart_data(patient, request.user.region_rules)}
    return render(request, "charts/charts_page.html", context)
