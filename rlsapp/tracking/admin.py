from django.contrib import admin

from .models import Infusion, LabDraw, LabResult, Patient, SymptomScore


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "ferritin_threshold", "created"]
    search_fields = ["name", "owner__email"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]


class LabResultInline(admin.TabularInline):
    model = LabResult
    extra = 0


@admin.register(LabDraw)
class LabDrawAdmin(admin.ModelAdmin):
    list_display = ["drawn_on", "patient", "lab_name"]
    list_filter = ["drawn_on"]
    search_fields = ["patient__name", "lab_name"]
    list_select_related = ["patient"]
    raw_id_fields = ["patient"]
    inlines = [LabResultInline]
    date_hierarchy = "drawn_on"


@admin.register(LabResult)
class LabResultAdmin(admin.ModelAdmin):
    list_display = ["draw", "analyte", "value", "comparator", "entered_value", "entered_unit"]
    list_filter = ["analyte", "calculated"]
    list_select_related = ["draw"]
    raw_id_fields = ["draw"]


@admin.register(Infusion)
class InfusionAdmin(admin.ModelAdmin):
    list_display = ["given_on", "patient", "product", "dose_mg"]
    list_filter = ["product"]
    search_fields = ["patient__name"]
    list_select_related = ["patient"]
    raw_id_fields = ["patient"]
    date_hierarchy = "given_on"


@admin.register(SymptomScore)
class SymptomScoreAdmin(admin.ModelAdmin):
    list_display = ["recorded_on", "patient", "severity"]
    search_fields = ["patient__name"]
    list_select_related = ["patient"]
    raw_id_fields = ["patient"]
