"""A person's access log (access_log.py): who viewed, changed or exported, for the owner."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import access, access_log
from ..memberships import OWN

LIMIT = 200
# What each logged page was, in words; any other page is named by its address's name.
PAGES = {
    "patient_detail": "the person's page",
    "patient_report": "the report",
    "patient_history": "the change history",
    "patient_access_log": "this access log",
    "patient_chart_table": "the results table",
    "patient_export_csv": "a CSV export",
    "patient_export_spreadsheet": "a spreadsheet export",
    "patient_export_fhir": "a FHIR export",
    "account_export": "the account's export (all its people, CSV and FHIR)",
    "patient_links": "the read-only links",
    "link_report": "the report",
}


def page_words(url_name):
    return PAGES.get(url_name) or url_name.replace("_", " ")


@login_required
@require_GET
def patient_access_log(request, pk):
    patient = access.get_patient_for_user(request, pk, need=OWN)
    entries = access_log.entries_for(patient, LIMIT)
    for entry in entries:
        entry.page_words = page_words(entry.page)
    context = {
        "patient": patient,
        "entries": entries,
        "limit": LIMIT,
        "retention_days": settings.ACCESS_LOG_RETENTION_DAYS,
        "address_days": settings.ACCESS_LOG_ADDRESS_DAYS,
    }
    return render(request, "tracking/access_log.html", context)
