"""One access helper per model: every lookup by id goes through these, scoped to the user.

Another user's object is indistinguishable from a missing one: both are a 404.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from .history import RESTORABLE
from .models import Infusion, LabDraw, Patient, SymptomScore
from .treatments import Medication, MedicationEvent, OralIronCourse


def get_patient_for_user(request, pk, with_status=False):
    patients = Patient.objects.for_user(request.user)
    if with_status:  # the worklist row the scheduler keeps (latest ferritin, last infusion)
        patients = patients.select_related("status")
    return get_object_or_404(patients, pk=pk)


def get_draw_for_user(request, pk):
    return get_object_or_404(
        LabDraw.objects.for_user(request.user).select_related("patient").with_results(), pk=pk
    )


def get_infusion_for_user(request, pk):
    return get_object_or_404(
        Infusion.objects.for_user(request.user).select_related("patient"), pk=pk
    )


def get_symptom_score_for_user(request, pk):
    return get_object_or_404(
        SymptomScore.objects.for_user(request.user).select_related("patient"), pk=pk
    )


def get_course_for_user(request, pk):
    return get_object_or_404(
        OralIronCourse.objects.for_user(request.user).select_related("patient"), pk=pk
    )


def get_medication_for_user(request, pk):
    return get_object_or_404(
        Medication.objects.for_user(request.user).select_related("patient"), pk=pk
    )


def get_medication_event_for_user(request, pk):
    return get_object_or_404(
        MedicationEvent.objects.for_user(request.user).select_related("patient", "medication"),
        pk=pk,
    )


def get_deleted_record_for_user(request, kind, history_id):
    """A deletion record from the change history, of one of the user's own people."""
    model = RESTORABLE.get(kind)
    if model is None:
        raise Http404("No such kind of record.")
    return get_object_or_404(
        model.history.filter(
            patient_id__in=Patient.objects.for_user(request.user).values("pk"),
            history_type="-",
        ),
        history_id=history_id,
    )
