"""The pages that compose several apps: the worklist and a person's page.

They read records (tracking), re-checks (reminders) and charts, so they live above
all three; every lookup by id still goes through tracking's access helpers.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe

from rlsapp.sharing import services as sharing_services
from rlsapp.tracking.access import get_patient_for_user
from rlsapp.tracking.caching import CACHE_SECONDS, person_key
from rlsapp.tracking.memberships import is_me
from rlsapp.tracking.models import Patient
from rlsapp.tracking.templatetags import links

from . import person_page, worklist_html
from . import worklist as worklist_rows


@login_required
def home(request):
    """Where the account lands: the person it marked "This is me" (accounts/me.py), or a
    person tracking only herself, sees her own page, not a worklist; anyone else sees the
    worklist (also at its own address, /worklist/, for the others too)."""
    if not request.GET:
        me = request.user.me_id
        if me is not None and Patient.objects.for_user(request.user).filter(pk=me).exists():
            return redirect("patient_detail", me)
    return worklist_page(request, alone_opens=not request.GET)


@login_required
def worklist(request):
    """Everyone the account tracks, the most urgent first (domain/urgency.py), 50 a page."""
    return worklist_page(request)


def worklist_page(request, alone_opens=False):
    """The worklist; with `alone_opens`, an account with one person opens that person's page
    instead (the worklist's own count says so: no query of its own)."""
    asked = worklist_rows.Request.from_get(request.GET)
    today = timezone.localdate()
    found, chip_counts, matching, number, pages = worklist_rows.page_of(request.user, today, asked)
    if chip_counts["all"] == 0:
        messages.info(request, "Welcome! Start by adding the person whose ferritin you track.")
        return redirect("patient_create")
    if alone_opens and chip_counts["all"] == 1:
        return redirect("patient_detail", found[0]["pk"])
    rows = worklist_html.rows_for(
        found, today, links.linker("patient_detail"), request.user.region_rules
    )
    context = {
        "rows_html": worklist_html.rows_html(rows),
        "rows": rows,
        "counts": chip_counts,
        "asked": asked,
        "matching": matching,
        "number": number,
        "pages": pages,
        "chips_html": worklist_html.chips_html(asked, chip_counts),
        "sorts_html": worklist_html.sorts_html(asked),
        "pages_html": worklist_html.pages_html(asked, number, pages),
    }
    return render(request, "web/worklist.html", context)


@login_required
def worklist_order(request):
    return render(request, "web/worklist_order.html")


def _transfer_offered(account):
    offered = sharing_services.transfer_offered_to(account, OuterRef("pk"))
    return {"transfer_offered": Exists(offered)}


@login_required
def patient_detail(request, pk):
    # The whole body, re-check card included, is cached under the person's data version:
    # a repeat view runs only the access check, which reads the version. Any change to the
    # person, its records or its reminder moves the version on (tracking/services/), and a
    # removed member fails the check before the cache is read. The body holds nothing per
    # request; the card's CSRF token is in a form outside it.
    # A member offered ownership learns it here too (the email may never come), read in
    # the access check's own query and shown outside the cached body.
    patient = get_patient_for_user(request, pk, with_status=True, also=_transfer_offered)
    # "This is you" is on the page too (accounts/me.py): it is part of the key (only when
    # true, so that every other page keeps the key the rest of the app computes).
    patient.is_me = is_me(request.user, patient)
    page = cache.get_or_set(
        person_key("patient-page", patient, request.user, *(["me"] if patient.is_me else [])),
        lambda: person_page.render_person_page(request, patient),
        CACHE_SECONDS,
    )
    context = {"title": page["title"], "body": mark_safe(page["body"])}
    if patient.transfer_offered:
        context["transfer_offered"] = {"by": patient.owner.email, "pk": patient.pk}
    return render(request, "tracking/patient_detail.html", context)
