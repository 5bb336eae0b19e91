"""Reminder lookups scoped to the signed-in user: another user's reminder is a 404."""

from django.shortcuts import get_object_or_404

from .models import Reminder


def get_reminder_for_user(request, pk, open_only=False):
    reminders = Reminder.objects.for_user(request.user).select_related("patient")
    if open_only:
        reminders = reminders.open()
    return get_object_or_404(reminders, pk=pk)
