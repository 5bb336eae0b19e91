from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import services
from ..access import get_patient_for_user
from ..forms import CONFLICT_MESSAGE, EditConflict, PatientForm


@login_required
@require_http_methods(["GET", "POST"])
def patient_create(request):
    form = PatientForm(request.POST or None, region=request.user.region_rules)
    if request.method == "POST" and form.is_valid():
        form.instance.owner = request.user
        patient = form.save()
        messages.success(request, f"Added {patient.name}. Now record a lab result or an infusion.")
        return redirect(patient)
    return render(request, "tracking/patient_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def patient_edit(request, pk):
    patient = get_patient_for_user(request, pk)
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
    patient = get_patient_for_user(request, pk)
    if request.method == "POST":
        name = patient.name
        services.delete_person(patient)
        messages.success(request, f"Deleted {name} and all of their records.")
        return redirect("home")
    return render(
        request,
        "tracking/confirm_delete.html",
        {
            "patient": patient,
            "object": patient,
            "what": f"{patient.name} with every lab result, infusion and symptom score",
            "cancel_url": patient.get_absolute_url(),
        },
    )
