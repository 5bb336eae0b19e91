"""The Reminders page, snooze, dismiss and calendar views. Every reminder lookup goes through
access.py."""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from rlsapp.tracking.access import EDIT, VIEW
from rlsapp.tracking.memberships import role_allows
from rlsapp.tracking.models import Patient

from . import account_settings, calendar, feeds, recipients, services
from .access import get_reminder_for_user
from .forms import ReminderSettingsForm, SnoozeForm
from .models import CalendarFeed, Reminder

FEED_LIMIT = 500
# A new result, infusion or setting (or another member) changed the re-check after its
# page was opened: the person's page shows it as it is now.
CHANGED_MEANWHILE = (
    "The re-check changed while this page was open, so nothing was {done}. Here it is as it is now."
)


def _ics_response(body, filename=None):
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def reminder_snooze(request, pk):
    reminder = get_reminder_for_user(request, pk, open_only=True)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    data = request.POST if request.method == "POST" else None
    form = SnoozeForm(
        data,
        today=timezone.localdate(),
        region=request.user.region_rules,
        remind_on=reminder.remind_on,
        skip_weekends=reminder.patient.skip_weekends,
    )
    if request.method == "POST" and form.is_valid():
        until = form.snooze_until()
        try:
            services.snooze(reminder, until)
        except services.RecheckChanged:
            messages.warning(request, CHANGED_MEANWHILE.format(done="snoozed"))
            return redirect(reminder.patient)
        messages.success(request, f"Re-check snoozed until {until.day} {until:%B %Y}.")
        return redirect(reminder.patient)
    context = {"form": form, "reminder": reminder, "patient": reminder.patient}
    return render(request, "reminders/snooze.html", context)


@login_required
def reminder_dismiss(request, pk):
    reminder = get_reminder_for_user(request, pk, open_only=True)
    if request.method == "POST":
        try:
            services.dismiss(reminder)
        except services.RecheckChanged:
            messages.warning(request, CHANGED_MEANWHILE.format(done="dismissed"))
            return redirect(reminder.patient)
        messages.success(
            request,
            "Re-check dismissed. The next one is scheduled when a new result, "
            "infusion or setting changes the dates.",
        )
        return redirect(reminder.patient)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(
        request, "reminders/dismiss.html", {"reminder": reminder, "patient": reminder.patient}
    )


@login_required
def reminder_ics(request, pk):
    # Open ones only, as the feed: a dismissed or done re-check is no date to add.
    reminder = get_reminder_for_user(request, pk, open_only=True, need=VIEW)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    name = "Ferritin re-check"
    names = request.user.calendar_names  # the downloading member's choice
    if calendar.with_names(reminder, names):
        name = f"{name}: {reminder.patient.name}"
    body = calendar.calendar([reminder], name=name, names=names)
    return _ics_response(body, f"ferritin-recheck-{reminder.remind_on:%Y-%m-%d}.ics")


def calendar_feed(request, token):
    """The secret feed: a wrong, revoked or inactive token is a plain 404."""
    feed = feeds.find_calendar_feed(token)
    if feed is None or request.method not in ("GET", "HEAD"):
        raise Http404()
    # Calendar apps poll the feed: it writes out the events each reminder stored when it
    # was saved (Reminder.save), and renders only those saved before events were stored
    # (recompute_reminders stores them). Fast enough uncached (bench/results.md), so a
    # feed never needs telling that a shared person's reminders changed.
    # The people whose reminders the account gets (its own and those shared with it).
    rows = list(
        Reminder.objects.open()
        .filter(**recipients.feed_filter(feed.user_id), patient__deleted_at__isnull=True)
        .order_by("remind_on", "pk")
        .values_list("pk", "calendar_event", "patient__owner__calendar_names")[:FEED_LIMIT]
    )
    # A stored event shows names as the person's owner chose; a member who chose otherwise
    # gets theirs rendered with their own choice.
    names = feed.user.calendar_names
    redo = [pk for pk, text, owner_names in rows if not text or owner_names != names]
    if redo:
        rendered = {
            r.pk: calendar.event_text(r, names=names)
            for r in Reminder.objects.filter(pk__in=redo).select_related("patient__owner")
            if r.is_open
        }
        rows = [(pk, rendered.get(pk, text), n) for pk, text, n in rows]
    body = calendar.from_events(text for _, text, _ in rows)
    return _ics_response(body)


def subscription(request, token):
    """The feed's addresses and QR code, for the page shown once, when the address is made:
    https for copying, webcal:// for a calendar app to subscribe with one tap. From
    SITE_URL, as every link that leaves the app: the address is pasted into calendar
    services for years, so it must not carry whatever host this request named."""
    https = f"{settings.SITE_URL}{CalendarFeed.url_for(token)}"
    webcal = "webcal://" + https.split("://", 1)[1]
    qr = segno.make(webcal, error="m").svg_inline(scale=4, border=2)
    return {"feed_url": https, "webcal_url": webcal, "qr_svg": mark_safe(qr)}


def render_reminders_page(request, form=None, new_feed=None, new_token=None, status=200):
    # With the account's role and whether it gets each one's reminders (the membership).
    people = list(
        Patient.objects.for_user(request.user).annotate(
            role=F("memberships__role"), gets_reminders=F("memberships__gets_reminders")
        )
    )
    # Days ahead and weekends are saved for the people the account may edit only
    # (reminders_page): the form shows theirs, or a person it only views would make the
    # boxes look unset and saving the page would set them so for everyone it edits.
    editable = [p for p in people if role_allows(p.role, EDIT)]
    if form is None:
        form = ReminderSettingsForm(
            initial=ReminderSettingsForm.initial_for(request.user, editable)
        )
    feed = new_feed or CalendarFeed.objects.filter(user=request.user).first()
    context = {
        "form": form,
        "people": people,
        "editable": len(editable),
        "feed": feed,
        # The address is a secret that works without signing in: shown in full only in
        # the answer that made it, never on a later visit (only its hash is stored).
        **(subscription(request, new_token) if new_token else {}),
    }
    return render(request, "reminders/reminders.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def reminders_page(request):
    """Email, days ahead, weekends and the calendar subscription on one page."""
    if request.method == "GET":
        return render_reminders_page(request)
    form = ReminderSettingsForm(request.POST)
    if not form.is_valid():
        return render_reminders_page(request, form, status=400)
    data = form.cleaned_data
    account_settings.save_settings(
        request.user,
        # Days ahead and weekends are the person's settings: only where the role may edit.
        list(Patient.objects.for_user(request.user, need=EDIT)),
        email=data["email_reminders"],
        days_ahead=data["days_ahead"],
        skip_weekends=data["skip_weekends"],
        names=data["calendar_names"],
    )
    messages.success(request, "Reminder settings saved.")
    return redirect("reminders")


@login_required
@require_POST
def calendar_regenerate(request):
    feed, token = feeds.new_calendar_address(request.user)
    messages.success(
        request,
        "New calendar address made. The old one, if any, stops working. Subscribe your "
        "calendar to this one now: it is shown only this once.",
    )
    return render_reminders_page(request, new_feed=feed, new_token=token)


@login_required
@require_POST
def calendar_stop(request):
    feeds.stop_calendar(request.user)
    messages.success(request, "Calendar feed turned off; its address no longer works.")
    return redirect("reminders")
