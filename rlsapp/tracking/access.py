"""One access helper per model: every lookup by id goes through these, scoped to the user.

A person the account is not a member of is indistinguishable from a missing one: both
are a 404. A member whose role does not allow what the view needs (`need`: view, edit,
own; memberships.py) gets a 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import F, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from . import access_log, compiled
from .history import RESTORABLE
from .memberships import EDIT, OWN, VIEW, Membership, role_allows

__all__ = ["EDIT", "OWN", "VIEW"]  # the needs, for the views that name them
from .models import Infusion, LabDraw, Patient, SymptomScore
from .treatments import Medication, MedicationEvent, OralIronCourse


def _people(account, with_status, also):
    # With its owner: saves and pages read the owner's settings (region, calendar names).
    patients = Patient.objects.for_account(account).select_related("owner")
    patients = patients.annotate(role=F("memberships__role"))
    if with_status:  # the worklist row the scheduler keeps (latest ferritin, last infusion)
        patients = patients.select_related("status")
    if also:
        patients = patients.annotate(**also)
    return patients


def get_patient_for_user(request, pk, with_status=False, need=VIEW, also=None):
    """The person with the account's `role` on them; 404 if not a member, 403 if the role
    does not allow `need`. `also`: annotations a page above wants read in the same query,
    as a function of the account's id (its SQL is then compiled once and, on PostgreSQL,
    prepared: compiled.py; so every parameter they hold must be typed, as Django's
    integers and text compared with a column are), or a dict of them."""
    user = request.user
    if not user.is_authenticated:
        raise Http404
    if not -(2**63) <= int(pk) < 2**63:  # no row has it (the ORM's own lookup says so too)
        raise Http404
    if also is None or callable(also):
        if also is not None and "<" in also.__qualname__:
            # The SQL is kept under the function's name: a lambda or nested function could
            # hold the first request's values (its account) for every later account.
            raise ValueError("also: a module-level function of the account's id")
        key = ("person", with_status, also and f"{also.__module__}.{also.__qualname__}")
        found = compiled.instances(
            key,
            lambda person, account: _people(account, with_status, also and also(account)).filter(
                pk=person
            ),
            # The annotations callers pass (role, transfer offer, has-infusions) compare text
            # with columns or are typed by Django: safe to prepare on PostgreSQL.
            prepared=True,
            person=int(pk),
            account=user.pk,
        )
        if not found:
            raise Http404
        person = found[0]
    else:
        person = get_object_or_404(_people(user.pk, with_status, also), pk=pk)
    check_role(person.role, need)
    access_log.note(request, person.pk)
    return person


def check_role(role, need):
    """A 403 when the account's role on a person does not allow `need`."""
    if not role_allows(role, need):
        raise PermissionDenied(f"Your role on this person does not allow this ({need}).")


def role_on(person_field, user):
    """The account's role on the row's person, as one subquery of the same query."""
    mine = Membership.objects.filter(person_id=OuterRef(person_field), account_id=user.pk)
    return Subquery(mine.values("role")[:1])


def _helper(model, *related):
    """The helper for one model: one of the user's people's records by id, patient joined,
    with `role` (the account's role on its person); 403 if the role does not allow `need`.
    Records are changed far more often than read one by one, so `need` defaults to edit."""

    def get_for_user(request, pk, need=EDIT):
        records = (
            model.objects.for_user(request.user)
            .annotate(role=role_on("patient_id", request.user))
            .select_related("patient", *related)
        )
        if model is LabDraw:
            records = records.with_results()
        record = get_object_or_404(records, pk=pk)
        check_role(record.role, need)
        record.patient.role = record.role
        access_log.note(request, record.patient_id)
        return record

    return get_for_user


get_draw_for_user = _helper(LabDraw)
get_infusion_for_user = _helper(Infusion)
get_symptom_score_for_user = _helper(SymptomScore)
get_course_for_user = _helper(OralIronCourse)
get_medication_for_user = _helper(Medication)
get_medication_event_for_user = _helper(MedicationEvent, "medication")

# For views that handle every kind of record alike (views/records.RecordKind).
HELPER_OF = {
    LabDraw: get_draw_for_user,
    Infusion: get_infusion_for_user,
    SymptomScore: get_symptom_score_for_user,
    OralIronCourse: get_course_for_user,
    Medication: get_medication_for_user,
    MedicationEvent: get_medication_event_for_user,
}


def get_deleted_record_for_user(request, kind, history_id, need=EDIT):
    """A deletion record from the change history, of one of the user's people (404 for
    anyone else's); 403 if the account's role on the person does not allow `need`."""
    model = RESTORABLE.get(kind)
    if model is None:
        raise Http404("No such kind of record.")
    record = get_object_or_404(
        model.history.filter(
            patient_id__in=Patient.objects.for_user(request.user).values("pk"),
            history_type="-",
        ).annotate(role=role_on("patient_id", request.user)),
        history_id=history_id,
    )
    check_role(record.role, need)
    access_log.note(request, record.patient_id)
    return record


def get_deleted_patient_for_user(request, pk):
    """A person the account owns and has deleted (not yet erased), for the undo; None for
    anyone else's, a person not deleted, or one erased already."""
    return Patient.objects.deleted_by(request.user).filter(pk=pk).first()
