from django.urls import path

from .views import history, patients, records

urlpatterns = [
    path("patients/new/", patients.patient_create, name="patient_create"),
    path("patients/<int:pk>/edit/", patients.patient_edit, name="patient_edit"),
    path("patients/<int:pk>/delete/", patients.patient_delete, name="patient_delete"),
    path("patients/<int:pk>/draws/", records.draw_list, name="draw_list"),
    path("patients/<int:pk>/draws/new/", records.draw_create, name="draw_create"),
    path("draws/<int:pk>/edit/", records.draw_edit, name="draw_edit"),
    path("draws/<int:pk>/delete/", records.draw_delete, name="draw_delete"),
    path("patients/<int:pk>/infusions/", records.infusion_list, name="infusion_list"),
    path("patients/<int:pk>/infusions/new/", records.infusion_create, name="infusion_create"),
    path("infusions/<int:pk>/edit/", records.infusion_edit, name="infusion_edit"),
    path("infusions/<int:pk>/delete/", records.infusion_delete, name="infusion_delete"),
    path("patients/<int:pk>/symptoms/", records.symptom_list, name="symptom_list"),
    path("patients/<int:pk>/symptoms/new/", records.symptom_create, name="symptom_create"),
    path("symptoms/<int:pk>/edit/", records.symptom_edit, name="symptom_edit"),
    path("symptoms/<int:pk>/delete/", records.symptom_delete, name="symptom_delete"),
    path("patients/<int:pk>/history/", history.patient_history, name="patient_history"),
    path("history/<slug:kind>/<int:pk>/restore/", history.restore_record, name="restore_record"),
]
