"""Oral iron courses, RLS medicines and a medicine's dated events: list, add, edit, delete.

The same flow as lab results and infusions (records.py), each view naming its access
helper, so every lookup stays scoped to the signed-in user.
"""

import dataclasses
import functools

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from .. import access
from ..treatment_forms import MedicationEventForm, MedicationForm, OralIronCourseForm
from ..treatments import Medication, MedicationEvent
from .records import RecordKind, _edit, record_views


def _medicines(patient):
    return Medication.objects.filter(patient=patient).prefetch_related("events")


def _events(patient):
    events = MedicationEvent.objects.filter(patient=patient).select_related("medication")
    return events.order_by("-happened_on", "-pk")


# Dates and doses typed the signed-in account's region's way, whoever owns the person.
COURSES = RecordKind("course", "oral iron course", OralIronCourseForm, regional=True)
MEDICINES = RecordKind("medicine", "medicine", MedicationForm, regional=True, listing=_medicines)
EVENTS = RecordKind(
    "medicine_event", "medicine event", MedicationEventForm, regional=True, listing=_events
)

course_list, course_create, course_edit, course_delete = record_views(COURSES)
medicine_list, medicine_create, medicine_edit, medicine_delete = record_views(MEDICINES)
# An event is added from its medicine's page (its create view is below): `pk` is the medicine's.
medicine_event_list, _, medicine_event_edit, medicine_event_delete = record_views(EVENTS)


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
def augmentation(request):
    """What augmentation looks like, from the guidelines (linked from dopamine agonists)."""
    return render(request, "tracking/augmentation.html")
