from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST

from .. import access, memberships, services
from ..access import EDIT, OWN, get_patient_for_user
from ..forms import CONFLICT_MESSAGE, EditConflict, PatientForm
from ..models import Patient


@login_required
@require_http_methods(["GET", "POST"])
def patient_create(request):
    account = request.user
    first = account.me_id is None and not Patient.objects.for_user(account).exists()
    form = PatientForm(request.POST or None, region=account.region_rules, ask_whose=first)
    if request.method == "POST" and form.is_valid():
        form.instance.owner = account
        patient = form.save()
        mine = form.cleaned_data.get("mine", False)
        if mine:
            memberships.set_me(account, patient)
        messages.success(
            request,
            f"Added {patient.name}{', marked as you' if mine else ''}. "
            "Now record a lab result or an infusion.",
        )
        return redirect(patient)
    return render(request, "tracking/patient_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def patient_edit(request, pk):
    patient = get_patient_for_user(request, pk, need=EDIT)
    form = PatientForm(request.POST or None, instance=patient, region=request.user.region_rules)
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except EditConflict:
            form.add_error(None, CONFLICT_MESSAGE)
        else:
            messages.success(request, "Saved.")
            return redirect(patient)
    return render(request, "tracking/patient_form.html", {"form": form, "patient": patient})


@login_required
@require_http_methods(["GET", "POST"])
def patient_delete(request, pk):
    patient = get_patient_for_user(request, pk, need=OWN)
    if request.method == "POST":
        services.delete_person(patient)
        messages.success(request, _deleted_message(request, patient))
        return redirect("home")
    return render(
        request,
        "tracking/confirm_delete.html",
        {
            "patient": patient,
            "object": patient,
            "what": f"{patient.name} with every lab result, infusion and symptom score "
            f"(you can undo it for {_window_words()}; then it is erased for good)",
            "cancel_url": patient.get_absolute_url(),
        },
    )


# The Undo form carries who was offered the undo of whom, signed: after the person is
# erased, that account is told it came too late, where anyone else gets the stranger's 404.
UNDO_SALT = "rlsapp.person-undo"


def _window_words():
    minutes = settings.PERSON_UNDO_MINUTES
    return "1 minute" if minutes == 1 else f"{minutes:g} minutes"


def _deleted_message(request, person):
    """'Alex deleted.' with an Undo button, as after a record's delete."""
    return format_html(
        '{} deleted. <form method="post" action="{}" class="d-inline">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="offered" value="{}">'
        '<button class="btn btn-link alert-link p-0 align-baseline" type="submit">Undo</button>'
        '</form> <span class="text-nowrap">(for {})</span>',
        person.name,
        reverse("patient_undelete", args=[person.pk]),
        get_token(request),
        signing.dumps([person.pk, request.user.pk], salt=UNDO_SALT),
        _window_words(),
    )


def _offered_to(request, pk) -> bool:
    try:
        return signing.loads(request.POST.get("offered", ""), salt=UNDO_SALT) == [
            pk,
            request.user.pk,
        ]
    except signing.BadSignature:
        return False


def _too_late(request):
    messages.error(
        request,
        f"Too late to undo: a deleted person is erased for good, with every record and its "
        f"history, {_window_words()} after the delete.",
    )
    return redirect("home")


@login_required
@require_POST
def patient_undo_delete(request, pk):
    """The Undo of a person's delete: the owner, within settings.PERSON_UNDO_MINUTES."""
    person = access.get_deleted_patient_for_user(request, pk)
    if person is None:
        try:
            back = get_patient_for_user(request, pk)
        except Http404:
            if _offered_to(request, pk):  # erased since
                return _too_late(request)
            raise
        # A second click, or a second tab.
        messages.info(request, f"{back.name} is back already, with every record.")
        return redirect(back)
    try:
        services.undo_delete_person(person)
    except services.NotDeleted:  # another undo came first
        messages.info(request, f"{person.name} is back already, with every record.")
        return redirect(person)
    except services.UndoTooLate:
        services.erase_deleted_people()
        return _too_late(request)
    messages.success(request, f"{person.name} is back, with every record.")
    return redirect(person)
