"""Lab draws, infusions and symptom scores: list, add, edit and delete.

The three kinds share one flow; each view names its model's access helper,
form and template, so every lookup stays scoped to the signed-in user.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from .. import access, lab_entry, services
from ..forms import EditConflict, InfusionForm, SymptomScoreForm, conflict_message
from ..history import RESTORABLE
from ..lab_form import LabDrawForm
from ..models import Infusion, LabDraw, Patient

PAGE_SIZE = 25


@dataclass(frozen=True)
class RecordKind:
    slug: str  # URL name prefix
    singular: str  # the plural adds an s; the list page is tracking/<slug>_list.html
    form_class: type
    regional: bool = False  # the form reads dates and numbers the account's region's way
    listing: object = None  # patient -> what its list page shows; None: all of the model's
    # () -> annotations the add form reads of the person, in the access check's query.
    person_reads: object = None

    @property
    def model(self):
        return self.form_class._meta.model

    def get_for_user(self, request, pk):
        """One of the user's records of this kind (access.py: a 404 for anyone else's)."""
        return access.HELPER_OF[self.model](request, pk)

    def records(self, patient):
        if self.listing is not None:
            return self.listing(patient)
        return self.model.objects.filter(patient=patient)

    @property
    def plural(self):
        return f"{self.singular}s"

    @property
    def list_template(self):
        return f"tracking/{self.slug}_list.html"

    def list_url(self, patient):
        return reverse(f"{self.slug}_list", args=[patient.pk])


def record_views(kind):
    """The list, add, edit and delete views of one kind, in the order urls.py names them."""

    @login_required
    def list_view(request, pk):
        patient = access.get_patient_for_user(request, pk)
        return _list(request, kind, patient, kind.records(patient))

    @login_required
    @require_http_methods(["GET", "POST"])
    def create_view(request, pk):
        patient = access.get_patient_for_user(request, pk, need=access.EDIT, also=kind.person_reads)
        return _edit(request, kind, patient)

    @login_required
    @require_http_methods(["GET", "POST"])
    def edit_view(request, pk):
        try:
            obj = kind.get_for_user(request, pk)
        except Http404:
            return _deleted_meanwhile(request, kind, pk)
        return _edit(request, kind, obj.patient, obj)

    @login_required
    @require_http_methods(["GET", "POST"])
    def delete_view(request, pk):
        return _delete(request, kind, kind.get_for_user(request, pk))

    return list_view, create_view, edit_view, delete_view


def _newest_draws(patient):
    return LabDraw.objects.filter(patient=patient).newest_first().with_results()


def _draw_form_reads(account):
    # Whether to ask "taken after the infusion" (LabDrawForm); the same for every account.
    return {"has_infusions": Exists(Infusion.objects.filter(patient=OuterRef("pk")))}


DRAWS = RecordKind(
    "draw",
    "lab result",
    LabDrawForm,
    regional=True,
    listing=_newest_draws,
    person_reads=_draw_form_reads,
)
INFUSIONS = RecordKind("infusion", "infusion", InfusionForm, regional=True)
SYMPTOMS = RecordKind("symptom", "symptom score", SymptomScoreForm, regional=True)


def _list(request, kind, patient, queryset):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, kind.list_template, {"patient": patient, "page": page, "kind": kind})


def _edit(request, kind, patient, instance=None):
    extra = {"region": request.user.region_rules} if kind.regional else {}
    form = kind.form_class(request.POST or None, instance=instance, patient=patient, **extra)
    form.record_name = kind.singular
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except EditConflict:
            form.add_error(None, conflict_message(kind.singular))
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


DELETED_MEANWHILE = (
    "This {} was deleted (in another tab, on another device or by another person) after "
    "you opened it, so your changes were NOT saved; they are still in the form below. To "
    "make them, restore it from the change history first."
)


def _deleted_meanwhile(request, kind, pk):
    """An edit form of a record deleted since it was opened, for an account that may edit
    its person: the form as sent, saying so, instead of a bare 404 that loses what was
    typed. Anyone else, or a record never saved, is a 404 as before."""
    people = Patient.objects.for_user(request.user, need=access.EDIT).values("pk")
    deletion = (
        kind.model.history.filter(id=pk, history_type="-", patient_id__in=people)
        .order_by("-history_id")
        .first()
    )
    if deletion is None or kind.model.objects.filter(pk=pk).exists():
        raise Http404
    patient = access.get_patient_for_user(request, deletion.patient_id, need=access.EDIT)
    if request.method != "POST":  # nothing typed yet: the history, where it can come back
        messages.info(request, f"That {kind.singular} was deleted; it can be restored here.")
        return redirect("patient_history", patient.pk)
    extra = {"region": request.user.region_rules} if kind.regional else {}
    try:
        form = kind.form_class(request.POST, instance=deletion.instance, patient=patient, **extra)
    except ObjectDoesNotExist:  # an event whose medicine is gone too
        raise Http404 from None
    form.errors  # noqa: B018 (validated first, so the message is not one of its own)
    form.add_error(None, DELETED_MEANWHILE.format(kind.singular))
    context = {"form": form, "patient": patient, "kind": kind, "object": deletion.instance}
    return render(request, "tracking/record_form.html", context)


def _deleted_message(request, kind, model, pk):
    """'Deleted the lab result.' with an Undo button: the restore the change history has."""
    deletion = model.history.filter(id=pk, history_type="-").order_by("-history_id").first()
    if deletion is None or kind.slug not in RESTORABLE:
        return f"Deleted the {kind.singular}."
    return format_html(
        'Deleted the {}. <form method="post" action="{}" class="d-inline">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<button class="btn btn-link alert-link p-0 align-baseline" type="submit">Undo</button>'
        "</form>",
        kind.singular,
        reverse("restore_record", args=[kind.slug, deletion.history_id]),
        get_token(request),
    )


def _delete(request, kind, obj):
    patient = obj.patient
    if request.method == "POST":
        pk = obj.pk
        services.delete(obj)
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


draw_list, draw_create, draw_edit, draw_delete = record_views(DRAWS)
infusion_list, infusion_create, infusion_edit, infusion_delete = record_views(INFUSIONS)
symptom_list, symptom_create, symptom_edit, symptom_delete = record_views(SYMPTOMS)
