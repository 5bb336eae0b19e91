"""Upload, preview and confirm an import of CSV or FHIR into one patient.

Nothing reaches the tracking tables until the person confirms: the parsed file
waits in a PendingImport row owned by the user, and the preview shows every
record as it will be saved, every error by row and column, and what will be
skipped as a duplicate. A preview is kept IMPORT_PREVIEW_HOURS, then refused.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from rlsapp.domain import units
from rlsapp.tracking.access import EDIT, get_patient_for_user

from .. import conflicts
from ..access import get_pending_import_for_user
from ..csv import decode, parse_csv
from ..dates import DATE_ORDERS
from ..fhir_parse import parse_bundle
from ..forms import DateOrderForm, NumberConventionForm, UploadForm
from ..importer import import_rows, plan_import
from ..models import PendingImport
from ..parsed import ERRORS_KEPT, MAX_RECORDS, ImportRefused, ParsedImport
from ..preview import layout_text, preview_items, same_day_flags, skipped_lines
from ..treatment_preview import salt_weight_flags

logger = logging.getLogger(__name__)

PREVIEW_PAGE_SIZE = 100
# A confirmed preview keeps only this key (the outcome message), no file content, so that
# a second confirm of it (a double click) lands on the same result.
CONFIRMED = "confirmed"

CONVENTION_NAMES = {"point": "decimal point", "comma": "decimal comma"}
# What the preview says after reading the file again with a new choice.
_READ_AS = {
    "date_order": lambda order: f"Dates read as: {DATE_ORDERS[order].lower()}.",
    "number_convention": lambda convention: f"Numbers read with a {CONVENTION_NAMES[convention]}.",
}


def _parse(source, data, date_order, number_convention="auto", region=None, columns=None):
    """Parse an upload; ImportRefused carries the message for the person."""
    try:
        if source == "fhir":
            parsed = parse_bundle(data, today=timezone.localdate())
            parsed.refuse_if_too_many()  # a panel entry holds several results
            return parsed
        return parse_csv(
            data,
            date_order,
            today=timezone.localdate(),
            number_convention=number_convention,
            region=region,
            columns=columns,
        )
    except ImportRefused:
        raise
    except Exception as error:  # a parser bug must not become a 500; no file content logged
        logger.error("import parser failed: %s", type(error).__name__)
        raise ImportRefused(
            "rlsapp could not read this file. Check that it is a CSV export or a FHIR JSON "
            "Bundle; if it is, the error has been logged for the developers."
        ) from None


def _payload(patient, parsed, choices=None, file_notes=()):
    """What the preview keeps. `file_notes` say how the upload itself was read (its
    format despite its name, its encoding): a re-read of the kept UTF-8 text keeps them."""
    for note in reversed(file_notes):
        if note not in parsed.notes:
            parsed.notes.insert(0, note)
    plan = plan_import(patient, parsed, choices)
    payload = parsed.to_json()
    payload["infusion_choices"] = choices or {}
    payload["file_notes"] = list(file_notes)
    payload["plan"] = {
        "draws": [p.status for p in plan.draws],
        "draw_duplicates": [p.duplicate_results for p in plan.draws],
        "draw_same_day": [p.same_day for p in plan.draws],
        "infusions": plan.infusion_new,
        "infusion_conflicts": plan.infusion_conflicts,
        "symptoms": plan.symptom_new,
        "courses": plan.course_new,
        "medicines": plan.medicine_new,
        "refused": plan.refused,
        "refused_rows": plan.refused_rows,
        "counts": plan.counts,
        "duplicates": plan.duplicates,
    }
    return payload


def nothing_read(parsed: ParsedImport) -> str:
    """The refusal of a file with nothing to import, saying what it held instead (a FHIR
    DiagnosticReport, tests rlsapp does not track) and what rlsapp reads."""
    left = "; ".join(f"{count} {what}" for count, what in skipped_lines(parsed.skipped))
    return (
        "The file holds no lab results, infusions or scores."
        + (f" Read but not imported: {left}." if left else "")
        + f" rlsapp reads {', '.join(a.label for a in units.ANALYTES.values())}, iron "
        "infusions, symptom scores, oral iron and RLS medicines."
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request, pk):
    patient = get_patient_for_user(request, pk, need=EDIT)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            parsed = _parse(
                form.source,
                form.data_bytes,
                form.cleaned_data["date_order"],
                region=request.user.region_rules,
            )
        except ImportRefused as refusal:
            form.add_error("file", " ".join(filter(None, [form.source_note, str(refusal)])))
        else:
            if form.source_note:
                parsed.notes.insert(0, form.source_note)
            if not parsed.record_count and not parsed.errors:
                form.add_error("file", nothing_read(parsed))
            else:
                PendingImport.objects.for_user(request.user).expired().delete()
                # The text is kept only to read the dates another way, which ISO dates
                # never need: otherwise the preview would hold the file twice.
                rereadable = form.source == "csv" and (
                    parsed.date_order != "iso"
                    or parsed.needs_number_convention
                    or bool(parsed.read_differently)
                    or bool(parsed.column_choices)
                )
                raw, encoding_note = decode(form.data_bytes) if rereadable else ("", "")
                pending = PendingImport.objects.create(
                    owner=request.user,
                    patient=patient,
                    source=form.source,
                    filename=(form.cleaned_data["file"].name or "upload")[:255],
                    raw=raw,
                    payload=_payload(
                        patient,
                        parsed,
                        file_notes=[n for n in (form.source_note, encoding_note) if n],
                    ),
                )
                return redirect("interop_preview", pending.token)
    return render(
        request,
        "interop/upload.html",
        {
            "patient": patient,
            "form": form,
            "max_bytes": settings.IMPORT_MAX_BYTES,
            "max_records": MAX_RECORDS,
        },
    )


def _hours():
    hours = settings.IMPORT_PREVIEW_HOURS
    return f"{hours:g} hour{'' if hours == 1 else 's'}"


def _outcome_message(outcome) -> str:
    created = outcome.created
    message = (
        f"Imported {created['results']} lab result(s) in {created['draws']} new draw(s), "
        f"{created['infusions']} infusion(s) and {created['symptom_scores']} symptom score(s)."
    )
    if created.get("courses") or created.get("medicines"):
        message += (
            f" Also {created['courses']} oral iron course(s) and "
            f"{created['medicines']} RLS medicine(s)."
        )
    if outcome.replaced_infusions:
        message += f" {outcome.replaced_infusions} of the infusions replaced saved ones."
    if outcome.skipped_total:
        message += f" Skipped {outcome.skipped_total} already saved (duplicates)."
    return message


def _already_imported(request, pending, patient):
    """A second confirm (or a later visit) of a confirmed preview: the same result again."""
    if pending is None:  # discarded or purged while this request waited
        messages.info(request, "This import preview is gone; nothing more was saved.")
    else:
        messages.success(request, pending.payload[CONFIRMED])
    return redirect(patient)


def _settle_conflicts(request, pending):
    """The person's choices for the infusions in conflict: the preview is planned again."""
    payload = pending.payload
    chosen, missing = conflicts.choices_from_post(
        request.POST, payload["plan"].get("infusion_conflicts") or []
    )
    if missing:
        messages.error(
            request, "Choose what to keep for the infusion(s) of " + ", ".join(missing) + "."
        )
    choices = {**payload.get("infusion_choices", {}), **chosen}
    pending.payload = _payload(
        pending.patient,
        ParsedImport.from_json(payload),
        choices,
        payload.get("file_notes", ()),
    )
    pending.save(update_fields=["payload"])
    return redirect("interop_preview", pending.token)


def _chosen_columns(payload) -> dict:
    """{analyte: column index} for the duplicated columns the person has chosen between."""
    return {
        c["analyte"]: c["chosen"]
        for c in payload.get("column_choices", [])
        if c["chosen"] is not None
    }


def _read_again(request, pending, date_order=None, number_convention=None, columns=None):
    """Read the kept CSV again with one choice changed, the others as the preview has them,
    and keep the new preview. None, with the refusal shown, when it cannot be read so."""
    payload = pending.payload
    if date_order is None:
        date_order = payload["date_order"] if payload["date_order"] != "iso" else "auto"
    if number_convention is None:
        number_convention = payload.get("number_convention") or "auto"
    try:
        parsed = _parse(
            "csv",
            pending.raw.encode("utf-8"),
            date_order,
            number_convention,
            request.user.region_rules,
            columns=_chosen_columns(payload) if columns is None else columns,
        )
    except ImportRefused as refusal:
        messages.error(request, str(refusal))
        return None
    pending.payload = _payload(
        pending.patient, parsed, payload.get("infusion_choices"), payload.get("file_notes", ())
    )
    pending.save(update_fields=["payload"])
    return parsed


def _choose_columns(request, pending):
    """Read the file again with the column chosen for each duplicated analyte."""
    payload = pending.payload
    chosen = _chosen_columns(payload)
    for choice in payload.get("column_choices", []):
        picked = request.POST.get(f"column-{choice['analyte']}", "")
        if picked in {str(c["index"]) for c in choice["columns"]}:
            chosen[choice["analyte"]] = int(picked)
    parsed = _read_again(request, pending, columns=chosen)
    if parsed is not None and parsed.needs_column_choice:
        messages.error(request, "Choose a column for each test named twice.")
    return redirect("interop_preview", pending.token)


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request, token):
    try:
        pending = get_pending_import_for_user(request, token)
    except Http404:
        # Imported, discarded, purged after expiry, or never this account's: one answer
        # for all, so that it tells nothing, and says what to do instead of "Not Found".
        return render(request, "interop/preview_gone.html", {"hours": _hours()}, status=404)
    patient = pending.patient
    if CONFIRMED in pending.payload:
        return _already_imported(request, pending, patient)
    if pending.is_expired:
        pending.delete()
        messages.warning(
            request,
            f"This import preview expired: previews are kept for {_hours()}, and nothing from "
            "it was saved. Upload the file again to import it.",
        )
        return redirect("patient_import", patient.pk)
    payload = pending.payload
    # The choices that read the kept CSV again, each a form named as _read_again's argument.
    choice_forms = {
        "date_order": DateOrderForm(initial={"date_order": payload["date_order"]}),
        "number_convention": NumberConventionForm(
            initial={"number_convention": payload.get("number_convention") or "point"}
        ),
    }
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "discard":
            pending.delete()
            messages.info(request, "Import discarded; nothing was saved.")
            return redirect(patient)
        if action in choice_forms and pending.source == "csv" and pending.raw:
            form = choice_forms[action] = type(choice_forms[action])(request.POST)
            if form.is_valid():
                choice = form.cleaned_data[action]
                if _read_again(request, pending, **{action: choice}) is not None:
                    messages.info(request, _READ_AS[action](choice))
                return redirect("interop_preview", pending.token)
        if action == "conflicts":
            return _settle_conflicts(request, pending)
        if action == "columns" and pending.source == "csv" and pending.raw:
            return _choose_columns(request, pending)
        if action == "confirm":
            if payload["needs_date_order"]:
                messages.error(request, "Choose the order of the dates before importing.")
                return redirect("interop_preview", pending.token)
            if payload.get("needs_number_convention"):
                messages.error(request, "Choose how the numbers are written before importing.")
                return redirect("interop_preview", pending.token)
            if payload.get("needs_column_choice"):
                messages.error(request, "Choose which column to read before importing.")
                return redirect("interop_preview", pending.token)
            if conflicts.preview_context(payload)["open_conflicts"]:
                messages.error(request, "Choose what to keep for each infusion in conflict.")
                return redirect("interop_preview", pending.token)
            with transaction.atomic():
                # A double click sends two confirms: the second waits here until the first
                # commits (the row lock; on SQLite the write lock that every transaction
                # takes at its start, settings.DATABASES) and then finds the import done.
                locked = PendingImport.objects.select_for_update().filter(pk=pending.pk).first()
                if locked is None or CONFIRMED in locked.payload:
                    return _already_imported(request, locked, patient)
                parsed = ParsedImport.from_json(locked.payload)
                outcome = import_rows(
                    patient,
                    parsed,
                    user=request.user,
                    choices=locked.payload.get("infusion_choices"),
                )
                message = _outcome_message(outcome)
                locked.raw, locked.payload = "", {CONFIRMED: message}
                locked.save(update_fields=["raw", "payload"])
            messages.success(request, message)
            return redirect(patient)
    items = preview_items(payload, request.user.region_rules)
    page = Paginator(items, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    plan = payload["plan"]
    # Only the first ERRORS_KEPT errors are stored; the rest are counted.
    error_total = len(payload["errors"]) + payload.get("errors_dropped", 0)
    context = {
        "patient": patient,
        "pending": pending,
        "payload": payload,
        "page": page,
        "counts": plan["counts"],
        "duplicates": plan["duplicates"],
        "duplicate_total": sum(plan["duplicates"].values()),
        "new_total": sum(
            plan["counts"].get(k, 0)
            for k in ("results", "infusions", "symptom_scores", "courses", "medicines")
        ),
        "refused": plan.get("refused", []),
        **conflicts.preview_context(payload),
        "layout_text": layout_text(payload),
        "errors": payload["errors"][:ERRORS_KEPT],
        "errors_hidden": error_total - min(len(payload["errors"]), ERRORS_KEPT),
        "error_total": error_total,
        "kept_for": _hours(),
        "skipped": skipped_lines(payload["skipped"]),
        "date_form": choice_forms["date_order"],
        "number_form": choice_forms["number_convention"],
        "number_convention_name": CONVENTION_NAMES.get(payload.get("number_convention", "")),
        "read_differently": payload.get("read_differently", []),
        "unusual": payload.get("unusual", [])
        + same_day_flags(payload, request.user.region_rules, ERRORS_KEPT)
        + salt_weight_flags(payload, ERRORS_KEPT),
        "cancel_url": reverse("patient_detail", args=[patient.pk]),
    }
    return render(request, "interop/preview.html", context)
