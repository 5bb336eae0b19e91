from django.contrib import admin
from django.db import transaction

from rlsapp.tracking.admin import PersonRecordAdmin
from rlsapp.tracking.versions import lock_people

from . import services
from .models import CalendarFeed, Reminder


@admin.register(Reminder)
class ReminderAdmin(PersonRecordAdmin):
    """A deleted person's re-check is gone with them (tracking.services.delete_person)."""

    list_display = ["patient", "kind", "remind_on", "status", "sent_at", "attempts"]
    list_filter = ["status", "kind"]
    date_hierarchy = "remind_on"
    readonly_fields = ["claimed_at", "claim", "sent_at", "closed_at", "created", "updated"]

    # The worklist reads the open re-check from the person's stored row (PersonStatus), and
    # the person's pages are cached under their data version: both follow an edit, for the
    # person the reminder belonged to before as well as after.
    # The people's rows are locked before the reminders' (the admin's pages run in a
    # transaction), in the order a change of records takes them: the other way round, an
    # edit here and a new result for the person at the same moment deadlock.
    def save_model(self, request, obj, form, change):
        before = Reminder.objects.filter(pk=obj.pk).values_list("patient_id", flat=True)
        people = {obj.patient_id, *before} if obj.pk else {obj.patient_id}
        lock_people(people)
        super().save_model(request, obj, form, change)
        services.reminders_edited(people)

    def delete_model(self, request, obj):
        lock_people([obj.patient_id])
        super().delete_model(request, obj)
        services.reminders_edited([obj.patient_id])

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        people = set(queryset.values_list("patient_id", flat=True))
        lock_people(people)
        super().delete_queryset(request, queryset)
        services.reminders_edited(people)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    # The token's hash: useless to show, and not typed in by hand.
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False
