"""A person's access log (access_log.py): who viewed, changed or exported, for the owner."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import access, access_log
from ..memberships import OWN
from .records import DRAWS, INFUSIONS, SYMPTOMS
from .treatments import COURSES, EVENTS, MEDICINES

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
    "patient_charts": "the charts page",
    "patient_chart_data": "the chart data",
    "patient_edit": "the person's settings",
    "patient_delete": "the page to delete the person",
    "patient_import": "the import page",
    "patient_people": "who has access",
    "patient_invite": "the invitation form",
    "patient_transfer": "the transfer of ownership",
    "patient_leave": "the page to leave the person's records",
    "interop_preview": "an import preview",
    "draw_leave_out": "the page to leave a lab result out of the fits",
    "draw_put_back": "the page to put a lab result back into the fits",
    "reminder_snooze": "the re-check's snooze form",
    "reminder_dismiss": "the re-check's dismiss form",
    "reminder_ics": "the re-check's calendar file",
}
# A record kind's pages (tracking/urls.py record_routes): `<kind>_<page>`, named as the
# kind's own pages name it.
KINDS = {
    kind.slug: kind.singular for kind in (DRAWS, INFUSIONS, SYMPTOMS, COURSES, MEDICINES, EVENTS)
}
KIND_PAGES = {
    "list": "the list of {}s",
    "create": "the form for a new {}",
    "edit": "a {}'s form",
    "delete": "the page to delete a {}",
}


def page_words(url_name):
    if url_name in PAGES:
        return PAGES[url_name]
    kind, _, page = url_name.rpartition("_")
    if kind in KINDS and page in KIND_PAGES:
        return KIND_PAGES[page].format(KINDS[kind])
    return url_name.replace("_", " ")


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
