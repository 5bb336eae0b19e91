"""Oral iron courses, RLS medicines and a medicine's dated events: list, add, edit, delete.

The same flow as lab results and infusions (records.py), each view naming its access
helper, so every lookup stays scoped to the signed-in user.
"""

import dataclasses
import functools

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from .. import access, services
from ..treatment_forms import MedicationEventForm, MedicationForm, OralIronCourseForm
from ..treatments import Medication, MedicationEvent, OralIronCourse
from .records import RecordKind, _delete, _edit, _list

COURSES = RecordKind(
    "course",
    "oral iron course",
    "oral iron courses",
    OralIronCourseForm,
    "tracking/course_list.html",
    services.delete_treatment,
)
MEDICINES = RecordKind(
    "medicine",
    "medicine",
    "medicines",
    MedicationForm,
    "tracking/medicine_list.html",
    services.delete_treatment,
)
EVENTS = RecordKind(
    "medicine_event",
    "medicine event",
    "medicine events",
    MedicationEventForm,
    "tracking/medicine_event_list.html",
    services.delete_treatment,
)


@login_required
def course_list(request, pk):
    patient = access.get_patient_for_user(request, pk)
    return _list(request, COURSES, patient, OralIronCourse.objects.filter(patient=patient))


@login_required
@require_http_methods(["GET", "POST"])
def course_create(request, pk):
    return _edit(request, COURSES, access.get_patient_for_user(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def course_edit(request, pk):
    course = access.get_course_for_user(request, pk)
    return _edit(request, COURSES, course.patient, course)


@login_required
@require_http_methods(["GET", "POST"])
def course_delete(request, pk):
    return _delete(request, COURSES, access.get_course_for_user(request, pk))


@login_required
def medicine_list(request, pk):
    patient = access.get_patient_for_user(request, pk)
    medications = Medication.objects.filter(patient=patient).prefetch_related("events")
    return _list(request, MEDICINES, patient, medications)


@login_required
@require_http_methods(["GET", "POST"])
def medicine_create(request, pk):
    return _edit(request, MEDICINES, access.get_patient_for_user(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def medicine_edit(request, pk):
    medication = access.get_medication_for_user(request, pk)
    return _edit(request, MEDICINES, medication.patient, medication)


@login_required
@require_http_methods(["GET", "POST"])
def medicine_delete(request, pk):
    medication = access.get_medication_for_user(request, pk)
    return _delete(request, MEDICINES, medication)


@login_required
def medicine_event_list(request, pk):
    patient = access.get_patient_for_user(request, pk)
    events = MedicationEvent.objects.filter(patient=patient).select_related("medication")
    return _list(request, EVENTS, patient, events.order_by("-happened_on", "-pk"))


@login_required
@require_http_methods(["GET", "POST"])
def medicine_event_create(request, pk):
    """A dated event of one medicine: `pk` is the medicine's."""
    medication = access.get_medication_for_user(request, pk)
    kind = dataclasses.replace(
        EVENTS, form_class=functools.partial(MedicationEventForm, medication=medication)
    )
    return _edit(request, kind, medication.patient)


@login_required
@require_http_methods(["GET", "POST"])
def medicine_event_edit(request, pk):
    event = access.get_medication_event_for_user(request, pk)
    return _edit(request, EVENTS, event.patient, event)


@login_required
@require_http_methods(["GET", "POST"])
def medicine_event_delete(request, pk):
    return _delete(request, EVENTS, access.get_medication_event_for_user(request, pk))


@login_required
def augmentation(request):
    """What augmentation looks like, from the guidelines (linked from dopamine agonists)."""
    return render(request, "tracking/augmentation.html")
