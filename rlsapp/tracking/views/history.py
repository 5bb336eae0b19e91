"""A person's change history, and restoring a deleted record from it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render

from .. import access, history, services


@login_required
def patient_history(request, pk):
    patient = access.get_patient_for_user(request, pk)
    context = {
        "patient": patient,
        "changes": history.patient_history(patient),
        "limit": history.LIMIT,
    }
    return render(request, "tracking/history.html", context)


@login_required
def restore_record(request, kind, pk):
    # Look up first: another user's record is a 404 whatever the method.
    record = access.get_deleted_record_for_user(request, kind, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.restore(record)
    except services.AlreadyPresent:
        messages.info(request, "That record is already back.")
    except services.ParentMissing:
        messages.error(request, "Restore the medicine first: this event belongs to it.")
    except services.InvalidRecord as invalid:
        problems = " ".join(invalid.problems.values())
        messages.error(request, f"Not restored: {problems}")
    else:
        messages.success(request, f"Restored: {record.instance}.")
    return redirect("patient_history", record.patient_id)
