from django.contrib import admin

from . import services
from .models import CalendarFeed, Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["patient", "kind", "remind_on", "status", "sent_at", "attempts"]
    list_filter = ["status", "kind"]
    list_select_related = ["patient"]
    raw_id_fields = ["patient"]
    date_hierarchy = "remind_on"
    readonly_fields = ["claimed_at", "claim", "sent_at", "closed_at", "created", "updated"]

    def get_queryset(self, request):
        # A deleted person's re-check is gone with them (tracking.services.delete_person).
        return super().get_queryset(request).filter(patient__deleted_at__isnull=True)

    # The worklist reads the open re-check from the person's stored row (PersonStatus).
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.refresh_recheck(obj.patient_id)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.refresh_recheck(obj.patient_id)

    def delete_queryset(self, request, queryset):
        people = set(queryset.values_list("patient_id", flat=True))
        super().delete_queryset(request, queryset)
        for patient_id in people:
            services.refresh_recheck(patient_id)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    # The token's hash: useless to show, and not typed in by hand.
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False
