"""Lab draws, infusions and symptom scores: list, add, edit and delete.

The three kinds share one flow; each view names its model's access helper,
form and template, so every lookup stays scoped to the signed-in user.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from .. import access, lab_entry, services
from ..forms import CONFLICT_MESSAGE, EditConflict, InfusionForm, SymptomScoreForm
from ..history import RESTORABLE
from ..lab_form import LabDrawForm
from ..models import Infusion, LabDraw, SymptomScore

PAGE_SIZE = 25


@dataclass(frozen=True)
class RecordKind:
    slug: str  # URL name prefix
    singular: str
    plural: str
    form_class: type
    list_template: str
    delete: object  # the service that deletes one

    def list_url(self, patient):
        return reverse(f"{self.slug}_list", args=[patient.pk])


DRAWS = RecordKind(
    "draw",
    "lab result",
    "lab results",
    LabDrawForm,
    "tracking/draw_list.html",
    services.delete_draw,
)
INFUSIONS = RecordKind(
    "infusion",
    "infusion",
    "infusions",
    InfusionForm,
    "tracking/infusion_list.html",
    services.delete_record,
)
SYMPTOMS = RecordKind(
    "symptom",
    "symptom score",
    "symptom scores",
    SymptomScoreForm,
    "tracking/symptom_list.html",
    services.delete_record,
)


def _list(request, kind, patient, queryset):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, kind.list_template, {"patient": patient, "page": page, "kind": kind})


def _edit(request, kind, patient, instance=None):
    # The forms that read a date or a number the account's region's way.
    regional = kind in (DRAWS, INFUSIONS, SYMPTOMS)
    extra = {"region": request.user.region_rules} if regional else {}
    form = kind.form_class(request.POST or None, instance=instance, patient=patient, **extra)
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except EditConflict:
            form.add_error(None, CONFLICT_MESSAGE)
        except services.InvalidRecord as invalid:
            # Another save for the person came first (an overlapping course): its rule holds.
            for field, message in invalid.problems.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            verb = "Saved" if instance else "Added"
            messages.success(request, f"{verb} the {kind.singular}.")
            if getattr(form, "calculated_tsat", False):
                messages.info(request, "Transferrin saturation was calculated from iron and TIBC.")
            note = form.same_day_note() if hasattr(form, "same_day_note") else None
            if note:
                messages.warning(request, note)
            if "add_another" in request.POST:
                return redirect(f"{kind.slug}_create", patient.pk)
            return redirect(patient)
    context = {"form": form, "patient": patient, "kind": kind, "object": instance}
    return render(request, "tracking/record_form.html", context)


def _deleted_message(request, kind, model, pk):
    """'Deleted the lab result.' with an Undo button: the restore the change history has."""
    deletion = model.history.filter(id=pk, history_type="-").order_by("-history_id").first()
    if deletion is None or kind.slug not in RESTORABLE:
        return f"Deleted the {kind.singular}."
    return format_html(
        'Deleted the {}. <form method="post" action="{}" class="d-inline">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<button class="btn btn-sm btn-link p-0 align-baseline" type="submit">Undo</button>'
        "</form>",
        kind.singular,
        reverse("restore_record", args=[kind.slug, deletion.history_id]),
        get_token(request),
    )


def _delete(request, kind, obj):
    patient = obj.patient
    if request.method == "POST":
        pk = obj.pk
        kind.delete(obj)
        messages.success(request, _deleted_message(request, kind, type(obj), pk))
        return redirect(patient)
    what = f"the {kind.singular}: {obj}"
    if isinstance(obj, LabDraw):
        # Date, lab and values: enough to tell it from the other draws before it goes.
        what = f"the {kind.singular} of {lab_entry.draw_summary(obj, request.user.region_rules)}"
    context = {
        "patient": patient,
        "object": obj,
        "what": what,
        "cancel_url": patient.get_absolute_url(),
    }
    return render(request, "tracking/confirm_delete.html", context)


@login_required
def draw_list(request, pk):
    patient = access.get_patient_for_user(request, pk)
    draws = LabDraw.objects.filter(patient=patient).newest_first().with_results()
    return _list(request, DRAWS, patient, draws)


@login_required
@require_http_methods(["GET", "POST"])
def draw_create(request, pk):
    return _edit(request, DRAWS, access.get_patient_for_user(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def draw_edit(request, pk):
    draw = access.get_draw_for_user(request, pk)
    return _edit(request, DRAWS, draw.patient, draw)


@login_required
@require_http_methods(["GET", "POST"])
def draw_delete(request, pk):
    return _delete(request, DRAWS, access.get_draw_for_user(request, pk))


@login_required
def infusion_list(request, pk):
    patient = access.get_patient_for_user(request, pk)
    return _list(request, INFUSIONS, patient, Infusion.objects.filter(patient=patient))


@login_required
@require_http_methods(["GET", "POST"])
def infusion_create(request, pk):
    return _edit(request, INFUSIONS, access.get_patient_for_user(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def infusion_edit(request, pk):
    infusion = access.get_infusion_for_user(request, pk)
    return _edit(request, INFUSIONS, infusion.patient, infusion)


@login_required
@require_http_methods(["GET", "POST"])
def infusion_delete(request, pk):
    return _delete(request, INFUSIONS, access.get_infusion_for_user(request, pk))


@login_required
def symptom_list(request, pk):
    patient = access.get_patient_for_user(request, pk)
    return _list(request, SYMPTOMS, patient, SymptomScore.objects.filter(patient=patient))


@login_required
@require_http_methods(["GET", "POST"])
def symptom_create(request, pk):
    return _edit(request, SYMPTOMS, access.get_patient_for_user(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def symptom_edit(request, pk):
    score = access.get_symptom_score_for_user(request, pk)
    return _edit(request, SYMPTOMS, score.patient, score)


@login_required
@require_http_methods(["GET", "POST"])
def symptom_delete(request, pk):
    return _delete(request, SYMPTOMS, access.get_symptom_score_for_user(request, pk))
