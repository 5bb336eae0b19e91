from django.urls import path

from .views import exports, imports

# Patient URLs are named patient_* so the isolation test's URL walk treats their
# id as a patient id. The preview is keyed by an unguessable token of the upload.
urlpatterns = [
    path("patients/<int:pk>/import/", imports.import_upload, name="patient_import"),
    path("imports/<uuid:token>/", imports.import_preview, name="interop_preview"),
    path("patients/<int:pk>/export.csv", exports.export_csv, name="patient_export_csv"),
    path("patients/<int:pk>/export.fhir.json", exports.export_fhir, name="patient_export_fhir"),
    path(
        "patients/<int:pk>/export-spreadsheet.csv",
        exports.export_spreadsheet,
        name="patient_export_spreadsheet",
    ),
    path("account/export.zip", exports.account_export, name="account_export"),
    path("account/delete/", exports.account_delete, name="account_delete"),
]
