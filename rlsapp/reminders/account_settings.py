"""An account's reminder settings on the Reminders page: email, days ahead and weekends for
each person tracked (through the record services, which reschedule the re-checks), and
names in calendar entries (the account's stored events rendered again)."""

from django.db import transaction

from rlsapp.tracking import services as records
from rlsapp.tracking.models import Patient
from rlsapp.tracking.versions import bump_account_version

from .models import Reminder


@transaction.atomic
def set_calendar_names(user, on: bool) -> None:
    """Turn the person's name and the reason in calendar entries on or off, and render the
    account's stored events again (Reminder.render_event), so the feed shows the change."""
    user.calendar_names = on
    user.save(update_fields=["calendar_names"])
    reminders = list(
        Reminder.objects.open().filter(patient__owner=user).select_related("patient__owner")
    )
    for reminder in reminders:
        reminder.patient.owner = user
        reminder.calendar_event = reminder.render_event()
    Reminder.objects.bulk_update(reminders, ["calendar_event"], batch_size=500)
    bump_account_version(user.pk)


@transaction.atomic
def save_settings(user, people, *, email, days_ahead, skip_weekends, names) -> None:
    """The Reminders page's settings: the account's own, and days ahead and weekends for
    each person tracked (through the record services, which reschedule their re-checks).
    Days ahead left None keeps each person's own."""
    if user.email_reminders != email:
        user.email_reminders = email
        user.save(update_fields=["email_reminders"])
    # Each person as committed now, locked in id order: read at the request's start and
    # saved whole, a change another member made meanwhile (a threshold, a name) was put back.
    current = (
        Patient.objects.select_for_update(no_key=True)
        .filter(pk__in=[person.pk for person in people], deleted_at__isnull=True)
        .order_by("pk")
    )
    for person in current:
        lead = person.reminder_lead_days if days_ahead is None else days_ahead
        if (person.reminder_lead_days, person.skip_weekends) != (lead, skip_weekends):
            person.reminder_lead_days, person.skip_weekends = lead, skip_weekends
            records.save_person(person)
    if user.calendar_names != names:
        set_calendar_names(user, names)
