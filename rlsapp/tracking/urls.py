from django.urls import path

from .views import access_log, history, left_out, patients, records, stored_values, treatments

urlpatterns = [
    path("patients/new/", patients.patient_create, name="patient_create"),
    path("patients/<int:pk>/edit/", patients.patient_edit, name="patient_edit"),
    path("patients/<int:pk>/delete/", patients.patient_delete, name="patient_delete"),
    path("patients/<int:pk>/undelete/", patients.patient_undo_delete, name="patient_undelete"),
    path("patients/<int:pk>/draws/", records.draw_list, name="draw_list"),
    path("patients/<int:pk>/draws/new/", records.draw_create, name="draw_create"),
    path("draws/<int:pk>/edit/", records.draw_edit, name="draw_edit"),
    path("draws/<int:pk>/delete/", records.draw_delete, name="draw_delete"),
    path("draws/<int:pk>/leave-out/", left_out.draw_leave_out, name="draw_leave_out"),
    path("draws/<int:pk>/put-back/", left_out.draw_put_back, name="draw_put_back"),
    path("patients/<int:pk>/infusions/", records.infusion_list, name="infusion_list"),
    path("patients/<int:pk>/infusions/new/", records.infusion_create, name="infusion_create"),
    path("infusions/<int:pk>/edit/", records.infusion_edit, name="infusion_edit"),
    path("infusions/<int:pk>/delete/", records.infusion_delete, name="infusion_delete"),
    path("patients/<int:pk>/symptoms/", records.symptom_list, name="symptom_list"),
    path("patients/<int:pk>/symptoms/new/", records.symptom_create, name="symptom_create"),
    path("symptoms/<int:pk>/edit/", records.symptom_edit, name="symptom_edit"),
    path("symptoms/<int:pk>/delete/", records.symptom_delete, name="symptom_delete"),
    path("patients/<int:pk>/oral-iron/", treatments.course_list, name="course_list"),
    path("patients/<int:pk>/oral-iron/new/", treatments.course_create, name="course_create"),
    path("oral-iron/<int:pk>/edit/", treatments.course_edit, name="course_edit"),
    path("oral-iron/<int:pk>/delete/", treatments.course_delete, name="course_delete"),
    path("patients/<int:pk>/medicines/", treatments.medicine_list, name="medicine_list"),
    path("patients/<int:pk>/medicines/new/", treatments.medicine_create, name="medicine_create"),
    path("medicines/<int:pk>/edit/", treatments.medicine_edit, name="medicine_edit"),
    path("medicines/<int:pk>/delete/", treatments.medicine_delete, name="medicine_delete"),
    path(
        "patients/<int:pk>/medicine-events/",
        treatments.medicine_event_list,
        name="medicine_event_list",
    ),
    path(
        "medicines/<int:pk>/events/new/",
        treatments.medicine_event_create,
        name="medicine_event_create",
    ),
    path(
        "medicine-events/<int:pk>/edit/", treatments.medicine_event_edit, name="medicine_event_edit"
    ),
    path(
        "medicine-events/<int:pk>/delete/",
        treatments.medicine_event_delete,
        name="medicine_event_delete",
    ),
    path("help/augmentation/", treatments.augmentation, name="augmentation_help"),
    path("results/check/", stored_values.stored_values_check, name="stored_values_check"),
    path("patients/<int:pk>/history/", history.patient_history, name="patient_history"),
    path(
        "patients/<int:pk>/access-log/",
        access_log.patient_access_log,
        name="patient_access_log",
    ),
    path("history/<slug:kind>/<int:pk>/restore/", history.restore_record, name="restore_record"),
]
