"""The pages that compose several apps: the worklist and a person's page.

They read records (tracking), re-checks (reminders) and charts, so they live above
all three; every lookup by id still goes through tracking's access helpers.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from rlsapp.domain import units
from rlsapp.reminders import worklist as recheck_worklist
from rlsapp.reminders.models import Reminder
from rlsapp.tracking.treatments import Medication, OralIronCourse
from rlsapp.tracking.access import get_patient_for_user
from rlsapp.tracking.caching import CACHE_SECONDS, versioned_key
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, Patient, SymptomScore

WORKLIST_PAGE_SIZE = 50
RECENT_ROWS = 10


def requested_page(request):
    try:
        return int(request.GET.get("page", 1))
    except ValueError:
        return 1


def render_worklist_page(request, owned, number):
    """The worklist body for page `number` and the number of the page it shows; None, None
    for someone who tracks nobody yet."""
    today = timezone.localdate()
    paginator = Paginator(owned.order_by("pk"), WORKLIST_PAGE_SIZE)
    if paginator.count == 0:
        return None, None
    page = paginator.get_page(number)
    patients = recheck_worklist.with_next_recheck(owned.with_latest(), today)
    first = (page.number - 1) * WORKLIST_PAGE_SIZE
    page.object_list = list(patients[first : first + WORKLIST_PAGE_SIZE])
    context = {
        "page": page,
        "today": today,
        "recheck_summary": recheck_worklist.summary(patients),
    }
    return render_to_string("tracking/worklist_page.html", context, request), page.number


@login_required
def worklist(request):
    # As the patient page: the whole body is cached under the data version, so a repeat
    # view runs only the session and user queries (a hit in-process: 5.3 ms with the page
    # count and the rows cached apart, 4.4 ms whole; the trivial view 3.0 ms; bench/).
    number = requested_page(request)
    key = versioned_key(request.user, "worklist-page", number)
    body = cache.get(key)
    if body is None:
        owned = Patient.objects.for_user(request.user)
        body, shown = render_worklist_page(request, owned, number)
        if body is None:
            messages.info(request, "Welcome! Start by adding the person whose ferritin you track.")
            return redirect("patient_create")
        if shown == number:  # out-of-range numbers show another page: not worth a key each
            cache.set(key, body, CACHE_SECONDS)
    return render(request, "tracking/worklist.html", {"body": mark_safe(body)})


def latest_results(patient):
    """The newest result of each analyte, in one query whatever the history length."""
    ranked = (
        LabResult.objects.filter(draw__patient=patient)
        .select_related("draw")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("analyte")],
                order_by=[F("draw__drawn_on").desc(), F("draw_id").desc()],
            )
        )
        .filter(rank=1)
    )
    found = {r.analyte: r for r in ranked}
    return [found[code] for code in units.ANALYTES if code in found]


def render_patient_page(request, patient):
        "courses": list(OralIronCourse.objects.filter(patient=patient)[:RECENT_ROWS]),
        "medications": list(
            Medication.objects.filter(patient=patient).prefetch_related("events")[:RECENT_ROWS]
        ),
    """The page's title and body, built from the database. `patient` comes annotated
    with_latest(): its counts and latest values head the page and its tables."""
    context = {
        "patient": patient,
        "today": timezone.localdate(),
        "summary": patient,
        "latest": latest_results(patient),
        "draws": list(
            LabDraw.objects.filter(patient=patient).newest_first().with_results()[:RECENT_ROWS]
        ),
        "infusions": list(Infusion.objects.filter(patient=patient)[:RECENT_ROWS]),
        "symptom_scores": list(SymptomScore.objects.filter(patient=patient)[:RECENT_ROWS]),
        "recheck": Reminder.objects.filter(patient=patient).open().first(),
    }
    body = render_to_string("tracking/patient_page.html", context, request)
    return {"title": patient.name, "body": body}


@login_required
def patient_detail(request, pk):
    # The whole body, re-check card included, is cached under the data version, so a repeat
    # view runs no query of its own, not even the patient lookup: a body is only cached for a
    # patient the user owned at that version, and any change to the patient, its records,
    # its reminder or its owner moves the version on (tracking/services.py). The body holds
    # nothing per request; the card's CSRF token is in a form outside it.
    page = cache.get_or_set(
        versioned_key(request.user, "patient-page", pk),
        lambda: render_patient_page(request, get_patient_for_user(request, pk, with_latest=True)),
        CACHE_SECONDS,
    )
    return render(
        request,
        "tracking/patient_detail.html",
        {"title": page["title"], "body": mark_safe(page["body"])},
    )
