"""The operator's view of the records. Changes go through tracking.services, as every other
writer's do, so the admin cannot leave a stale page or reminder behind. A deleted person
(waiting to be erased) and their records are not shown: deleted is gone for everyone, and
a delete here erases at once.

A record cannot be moved to another person here: its history, cached pages and the
re-check of both people would disagree. Results are changed through their draw in the app.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied

from . import services, treatment_rules
from .models import Infusion, LabDraw, LabResult, Patient, SymptomScore
from .treatments import Medication, MedicationEvent, OralIronCourse


class PersonRecordAdmin(admin.ModelAdmin):
    """A record of one person (`person_field`): the person is picked by id and joined in
    lists, and a deleted person's records are not shown."""

    person_field = "patient"
    list_select_related = ["patient"]
    raw_id_fields = ["patient"]

    def get_queryset(self, request):
        people = f"{self.person_field}__" if self.person_field else ""
        return super().get_queryset(request).filter(**{f"{people}deleted_at__isnull": True})


class ThroughServicesAdmin(PersonRecordAdmin):
    """Saved and deleted through tracking.services; the person is read-only once the record
    exists."""

    search_fields = ["patient__name"]

    def save_through_service(self, obj):
        services.save_record(obj)

    def delete_through_service(self, obj):
        services.delete_record(obj)

    def save_model(self, request, obj, form, change):
        self.save_through_service(obj)

    def delete_model(self, request, obj):
        self.delete_through_service(obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_through_service(obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and self.person_field:
            readonly.append(self.person_field)
        return readonly


@admin.register(Patient)
class PatientAdmin(ThroughServicesAdmin):
    person_field = None  # a person may move to another account: both accounts' pages follow
    list_display = ["name", "owner", "ferritin_threshold", "created"]
    search_fields = ["name", "owner__email"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]

    def save_through_service(self, obj):
        services.save_person(obj)

    def delete_through_service(self, obj):
        services.erase_person(obj)


class GoesWithItsOwner:
    """A model admin's rows that go only with what they belong to (a result with its draw,
    person or account; a membership with its person or account), never on their own: no
    delete page, no Delete link, no bulk delete. The delete permission stays, as the owning
    row's delete page checks it for every row it takes: refused, that delete is a 403."""

    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_delete": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class LabResultInline(admin.TabularInline):
    model = LabResult
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LabDraw)
class LabDrawAdmin(ThroughServicesAdmin):
    list_display = ["drawn_on", "patient", "lab_name"]
    list_filter = ["drawn_on"]
    search_fields = ["patient__name", "lab_name"]
    inlines = [LabResultInline]
    date_hierarchy = "drawn_on"

    def save_through_service(self, obj):
        services.save_draw(obj, None)

    def delete_through_service(self, obj):
        services.delete_draw(obj)


@admin.register(LabResult)
class LabResultAdmin(GoesWithItsOwner, admin.ModelAdmin):
    list_display = ["draw", "analyte", "value", "comparator", "entered_value", "entered_unit"]
    list_filter = ["analyte", "calculated"]
    list_select_related = ["draw"]
    raw_id_fields = ["draw"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(draw__patient__deleted_at__isnull=True)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Infusion)
class InfusionAdmin(ThroughServicesAdmin):
    list_display = ["given_on", "patient", "product", "dose_mg"]
    list_filter = ["product"]
    date_hierarchy = "given_on"


@admin.register(SymptomScore)
class SymptomScoreAdmin(ThroughServicesAdmin):
    list_display = ["recorded_on", "patient", "severity"]


class RulesAdminForm(forms.ModelForm):
    """The admin refuses what the app's forms refuse (treatment_rules), field by field."""

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            check = treatment_rules.PROBLEMS_OF[type(self.instance)]
            for field, message in check(self.instance).items():
                self.add_error(field if field in self.fields else None, message)


class TreatmentAdmin(ThroughServicesAdmin):
    form = RulesAdminForm

    def save_through_service(self, obj):
        services.save_treatment(obj)

    def delete_through_service(self, obj):
        services.delete_treatment(obj)


@admin.register(OralIronCourse)
class OralIronCourseAdmin(TreatmentAdmin):
    list_display = ["started_on", "ended_on", "patient", "product", "elemental_mg"]
    list_filter = ["product"]


@admin.register(Medication)
class MedicationAdmin(TreatmentAdmin):
    list_display = ["started_on", "stopped_on", "patient", "drug", "dose", "dose_unit"]
    list_filter = ["drug"]


@admin.register(MedicationEvent)
class MedicationEventAdmin(TreatmentAdmin):
    list_display = ["happened_on", "patient", "medication", "kind"]
    list_filter = ["kind"]
    raw_id_fields = ["patient", "medication"]
    readonly_fields = ["patient"]  # follows its medicine (services.save_treatment)
