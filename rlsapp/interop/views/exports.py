"""Exports: one patient as CSV or FHIR, the whole account as a zip; account deletion."""

import io
import zipfile

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from rlsapp.tracking import services
from rlsapp.tracking.access import get_patient_for_user
from rlsapp.tracking.access_log import exports_people, exports_person
from rlsapp.tracking.memberships import OWNER, owned_and_shared
from rlsapp.tracking.models import Patient

from ..csv_export import write_csv
from ..export_records import export_records, export_treatments
from ..fhir_export import build_bundle, to_json
from ..forms import DeleteAccountForm
from ..settings_export import account_settings, person_settings
from ..spreadsheet_export import write_spreadsheet

README = """rlsapp export of {email}, made {stamp} UTC.

Each folder holds one person:
- records.csv: lab results, infusions, symptom scores, oral iron courses, RLS
  medicines and their events, one row each (the `record` column tells which).
  Values appear as the lab printed them ("value as entered", "unit as entered")
  and as rlsapp stores them.
- fhir-bundle.json: the same records as a FHIR R4 Bundle (Observations with
  LOINC codes and UCUM units, MedicationAdministrations for infusions), with
  oral iron courses and RLS medicines (dose changes and dated events such as
  augmentation) as MedicationStatements, with RxNorm codes where known.

- settings.json: the person's details and re-check settings as set here, with this
  account's role and whether it gets their re-check reminders.

records.csv and fhir-bundle.json can be imported into rlsapp again, on any person's page.
account.json holds this account's own settings (no password and no calendar address).

The people this account owns are at the top. People others own and share with this
account are in the folder {shared}/, one folder each, in the same form.
"""
# The people shared with the account, apart from those it owns.
SHARED_FOLDER = "shared-with-me"


def _records(patients):
    """Draws (with results), infusions and scores of these patients, in three queries."""
    return export_records([p.pk for p in patients])


def _treatments(patients):
    """Oral iron courses and medicines (with their events) of these patients: three queries."""
    return export_treatments([p.pk for p in patients])


def _stem(patient):
    return f"{slugify(patient.name) or 'person'}-{patient.pk}"


def _attachment(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _person_export(write, content_type, suffix):
    """A view that sends one person's records as the file rlsapp-<name>-<date><suffix>;
    `write(request, patient, draws, infusions, scores)` gives its bytes."""

    @exports_person
    @login_required
    @require_GET
    def view(request, pk):
        patient = get_patient_for_user(request, pk)
        content = write(request, patient, *_records([patient])[patient.pk])
        stamp = timezone.localdate().isoformat()
        return _attachment(content, content_type, f"rlsapp-{_stem(patient)}-{stamp}{suffix}")

    return view


def _csv(request, patient, draws, infusions, scores):
    # A BOM so that Excel reads µ and accents as UTF-8.
    text = write_csv(draws, infusions, scores, **_treatments([patient])[patient.pk])
    return ("\ufeff" + text).encode("utf-8")


def _spreadsheet(request, patient, draws, infusions, scores):
    """For Excel, in the account's region's format (not for re-import)."""
    return write_spreadsheet(draws, infusions, scores, request.user.region_rules).encode("utf-8")


def _fhir(request, patient, draws, infusions, scores):
    bundle = build_bundle(patient, draws, infusions, scores, **_treatments([patient])[patient.pk])
    return to_json(bundle)


CSV = "text/csv; charset=utf-8"
export_csv = _person_export(_csv, CSV, ".csv")
export_spreadsheet = _person_export(_spreadsheet, CSV, "-spreadsheet.csv")
export_fhir = _person_export(_fhir, "application/fhir+json; charset=utf-8", ".fhir.json")


@login_required
@require_GET
def account_export(request):
    patients = list(
        Patient.objects.for_user(request.user).annotate(
            role=F("memberships__role"), gets_reminders=F("memberships__gets_reminders")
        )
    )
    exports_people(request, [patient.pk for patient in patients])
    records = _records(patients)
    treatments = _treatments(patients)
    buffer = io.BytesIO()
    now = timezone.now()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            README.format(
                email=request.user.email,
                stamp=now.strftime("%Y-%m-%d %H:%M"),
                shared=SHARED_FOLDER,
            ),
        )
        folders = {}
        for patient in patients:
            draws, infusions, scores = records[patient.pk]
            folder = _stem(patient)
            if patient.role != OWNER:
                folder = f"{SHARED_FOLDER}/{folder}"
            folders[patient.pk] = folder
            archive.writestr(
                f"{folder}/settings.json",
                person_settings(patient, patient.role, patient.gets_reminders),
            )
            archive.writestr(
                f"{folder}/records.csv",
                "\ufeff" + write_csv(draws, infusions, scores, **treatments[patient.pk]),
            )
            bundle = build_bundle(patient, draws, infusions, scores, **treatments[patient.pk])
            archive.writestr(f"{folder}/fhir-bundle.json", to_json(bundle))
        archive.writestr(
            "account.json", account_settings(request.user, folders.get(request.user.me_id))
        )
    return _attachment(buffer.getvalue(), "application/zip", f"rlsapp-account-{now:%Y-%m-%d}.zip")


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.erase_account(user)
        messages.success(request, "Your account and all of its records were deleted.")
        return redirect("login")
    # Owned people that others share: offered a transfer first (sharing's transfer page),
    # or they are deleted for everyone.
    context = {"form": form, "shared_owned": owned_and_shared(request.user)}
    return render(request, "interop/account_delete.html", context)
