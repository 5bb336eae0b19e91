"""Reminder lookups scoped to the signed-in user: another user's reminder is a 404, and a
member whose role on the person does not allow `need` gets a 403 (tracking/access.py)."""

from django.shortcuts import get_object_or_404

from rlsapp.tracking import access_log
from rlsapp.tracking.access import EDIT, check_role, role_on

from .models import Reminder


def get_reminder_for_user(request, pk, open_only=False, need=EDIT):
    reminders = (
        Reminder.objects.for_user(request.user)
        .annotate(role=role_on("patient_id", request.user))
        .select_related("patient")
    )
    if open_only:
        reminders = reminders.open()
    reminder = get_object_or_404(reminders, pk=pk)
    check_role(reminder.role, need)
    reminder.patient.role = reminder.role  # for the page's buttons (templatetags/roles.py)
    access_log.note(request, reminder.patient_id)
    return reminder
