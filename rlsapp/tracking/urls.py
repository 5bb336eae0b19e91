from django.urls import path

from .views import access_log, history, left_out, patients, records, stored_values, treatments


def record_routes(views, kind, plural, new=None):
    """One kind of record's four pages, from the views `<kind>_list`, `_create`, `_edit` and
    `_delete`: a person's list of them and form for a new one, and each one's edit and delete.
    `new` is the new-record address where it hangs off another record rather than the person.
    """
    return [
        path(f"patients/<int:pk>/{plural}/", getattr(views, f"{kind}_list"), name=f"{kind}_list"),
        path(
            new or f"patients/<int:pk>/{plural}/new/",
            getattr(views, f"{kind}_create"),
            name=f"{kind}_create",
        ),
        path(f"{plural}/<int:pk>/edit/", getattr(views, f"{kind}_edit"), name=f"{kind}_edit"),
        path(f"{plural}/<int:pk>/delete/", getattr(views, f"{kind}_delete"), name=f"{kind}_delete"),
    ]


urlpatterns = [
    path("patients/new/", patients.patient_create, name="patient_create"),
    path("patients/<int:pk>/edit/", patients.patient_edit, name="patient_edit"),
    path("patients/<int:pk>/delete/", patients.patient_delete, name="patient_delete"),
    path("patients/<int:pk>/undelete/", patients.patient_undo_delete, name="patient_undelete"),
    *record_routes(records, "draw", "draws"),
    path("draws/<int:pk>/leave-out/", left_out.draw_leave_out, name="draw_leave_out"),
    path("draws/<int:pk>/put-back/", left_out.draw_put_back, name="draw_put_back"),
    *record_routes(records, "infusion", "infusions"),
    *record_routes(records, "symptom", "symptoms"),
    *record_routes(treatments, "course", "oral-iron"),
    *record_routes(treatments, "medicine", "medicines"),
    *record_routes(
        treatments, "medicine_event", "medicine-events", new="medicines/<int:pk>/events/new/"
    ),
    path("help/augmentation/", treatments.augmentation, name="augmentation_help"),
    path("results/check/", stored_values.stored_values_check, name="stored_values_check"),
    path("patients/<int:pk>/history/", history.patient_history, name="patient_history"),
    path("patients/<int:pk>/access-log/", access_log.patient_access_log, name="patient_access_log"),
    path("history/<slug:kind>/<int:pk>/restore/", history.restore_record, name="restore_record"),
]
