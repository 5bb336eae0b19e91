"""The read-only link's pages (no account: the token in the address is the key) and the
owner's list of a person's links, where links are made and revoked."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from rlsapp.charts import pages
from rlsapp.tracking import access_log
from rlsapp.tracking.access import get_patient_for_user
from rlsapp.tracking.memberships import OWN
from rlsapp.tracking.models import Patient

from . import services
from .forms import LinkForm
from .models import ReadOnlyLink


def _private(response):
    """The token is in the address: keep it out of search engines, other sites' referrer
    logs and shared caches."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


def _working_link(request, token):
    """The working link, or the same 404 for an unknown, expired or revoked token and for
    any method but reading: nothing tells them apart."""
    link = services.find_working_link(token) if request.method in ("GET", "HEAD") else None
    if link is None:
        raise Http404()
    access_log.note(request, link.person_id, link=(link.pk, link.log_label))
    return link


def link_report(request, token):
    link = _working_link(request, token)
    person = link.person
    context = pages.report_context(person, person.owner.region_rules) | {
        "base_template": "links/base.html",
        "link": link,
        "chart_url": reverse("link_chart_data", args=[token]),
    }
    return _private(render(request, "charts/report.html", context))


def link_chart_data(request, token):
    link = _working_link(request, token)
    if access_log.link_page_logged_lately(link.person_id, link.pk):
        access_log.not_a_page(request)  # part of the report's view, logged already
    body = pages.chart_json(link.person)
    return _private(HttpResponse(body, content_type="application/json"))


def _render_links(request, person, form=None, new=None, status=200):
    links = list(ReadOnlyLink.objects.filter(person=person).select_related("made_by"))
    last_views = access_log.last_views_of_links(person)
    now = timezone.now()
    for link in links:
        link.last_viewed = last_views.get(link.pk)
        link.state = link.status(now)
    context = {
        "patient": person,
        "links": links,
        "form": form or LinkForm(),
        "new_link": new,
    }
    return render(request, "links/links.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def patient_links(request, pk):
    """The person's read-only links; a POST makes one and shows its address this once."""
    person = get_patient_for_user(request, pk, need=OWN)
    if request.method == "GET":
        return _render_links(request, person)
    form = LinkForm(request.POST)
    if not form.is_valid():
        return _render_links(request, person, form, status=400)
    link, token = services.make_link(
        person, request.user, form.cleaned_data["days"], form.cleaned_data["label"]
    )
    access_log.note(request, person.pk, action=access_log.CHANGED)
    new = {"link": link, "url": request.build_absolute_uri(ReadOnlyLink.url_for(token))}
    response = _render_links(request, person, new=new)
    # The token is in the page, not its address: not stored, but the app's own referrer
    # policy kept. Under "no-referrer" the browser sends "Origin: null" with this page's
    # forms (Revoke, Make a link), and Django's CSRF check refuses them.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def link_revoke(request, pk):
    # A link of a person the account is no member of is a 404; a member who is not the
    # owner gets the 403 of get_patient_for_user.
    links = ReadOnlyLink.objects.filter(person__in=Patient.objects.for_user(request.user))
    link = get_object_or_404(links, pk=pk)
    person = get_patient_for_user(request, link.person_id, need=OWN)
    services.revoke(link)
    messages.success(request, "Link revoked: it no longer opens anything.")
    return redirect("patient_links", person.pk)
