"""Every way a person's records, settings or sharing change leaves what is derived from them
right: the open re-check, the worklist row (PersonStatus) and the chart's past estimates
equal what the scheduler works out from scratch, the stored calendar event equals one
rendered afresh, and each member's cached person page and chart JSON equal the same drawn
with the cache emptied."""

import datetime
import io
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from rlsapp.domain.units import Measurement
from rlsapp.reminders import services as scheduler
from rlsapp.reminders.account_settings import set_calendar_names
from rlsapp.reminders.models import PersonStatus, Reminder
from rlsapp.sharing import services as sharing
from rlsapp.tracking import services
from rlsapp.tracking.memberships import EDITOR, VIEWER, Membership
from rlsapp.tracking.models import Infusion, LabDraw, PastEstimates, Patient, SymptomScore
from rlsapp.tracking.treatments import Medication, OralIronCourse
from rlsapp.tracking.versions import bump_account_version
from tests.conftest import client_for, force_login_with_two_factor
from tests.interop import fhir_resources
from tests.interop.helpers import post_file, preview_url

TODAY = datetime.date.today()
REMINDER_FIELDS = [
    *("kind", "due_on", "reason", "notes", "below_since", "estimate_on", "estimate_from"),
    *("estimate_to", "estimate_basis", "latest_ferritin_on", "remind_on", "soon_from"),
]
STATUS_FIELDS = [f.name for f in PersonStatus._meta.concrete_fields if f.name != "patient"]
# What a snooze sets, which no plan gives.
SNOOZED = {"remind_on", "soon_from", "recheck_remind_on", "recheck_soon_from"}


def days(n):
    return TODAY + datetime.timedelta(days=n)


def ferritin(person, day, value):
    measured = Measurement("ferritin", value, "", f"{value:g}", "µg/L")
    services.save_draw(LabDraw(patient=person, drawn_on=day), {"ferritin": measured})


def stored(pk):
    reminders = Reminder.objects.open().filter(patient_id=pk)
    return (
        list(reminders.values(*REMINDER_FIELDS)),
        list(PersonStatus.objects.filter(patient_id=pk).values(*STATUS_FIELDS)),
        list(PastEstimates.objects.filter(patient_id=pk).values("digest", "estimates")),
    )


def from_scratch(pk):
    """The open re-check and worklist row worked out with neither stored (rolled back)."""
    with transaction.atomic():
        Reminder.objects.open().filter(patient_id=pk).delete()
        PersonStatus.objects.filter(patient_id=pk).delete()
        PastEstimates.objects.filter(patient_id=pk).delete()
        scheduler.sync_patient(Patient.objects.get(pk=pk))
        found = stored(pk)
        transaction.set_rollback(True)
    return found


def derived_problems(pk):
    person = Patient.objects.filter(pk=pk).first()
    if person is None:
        return [] if stored(pk) == ([], [], []) else ["rows left for an erased person"]
    if person.deleted_at is not None:  # its re-check waits for an undo, off the worklist
        return [] if not PersonStatus.objects.filter(patient_id=pk).exists() else ["listed"]
    problems = []
    snoozed = Reminder.objects.open().filter(patient_id=pk, snoozed_until__isnull=False)
    left_out = SNOOZED if snoozed.exists() else set()

    def kept(rows):
        return [{k: v for k, v in row.items() if k not in left_out} for row in rows]

    now, fresh = stored(pk), from_scratch(pk)
    kinds = ("re-check", "worklist row", "past estimates")
    for what, mine, theirs in zip(kinds, now, fresh, strict=True):
        if kept(mine) != kept(theirs):
            problems.append((what, mine, theirs))
    for reminder in Reminder.objects.open().filter(patient_id=pk).select_related("patient__owner"):
        if reminder.calendar_event != reminder.render_event():
            problems.append(("calendar event", reminder.pk))
    return problems


PER_REQUEST = [
    re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'),
    re.compile(r'nonce="[^"]+"'),
    re.compile(r'<div class="alert[^"]*alert-dismissible.*?</div>', re.S),  # a message
]


def page(client, url):
    response = client.get(url)
    text = response.content.decode()
    for part in PER_REQUEST:
        text = part.sub("", text)
    return response.status_code, re.sub(r"\s+", " ", text)


def urls(pk):
    return [f"/patients/{pk}/", f"/patients/{pk}/charts.json"]


def cache_problems(clients, pk):
    """Each member's pages as served now, against the same drawn afresh (every member's
    read before the cache is emptied)."""
    served = {
        (name, url): page(client, url) for name, client in clients.items() for url in urls(pk)
    }
    cache.clear()
    return [
        ("stale cached page", name, url)
        for (name, url), before in served.items()
        if before != page(clients[name], url)
    ]


@pytest.fixture
def world(owner, bob, make_user, mail_on):
    carol = make_user("carol@example.com")
    person = Patient.objects.create(owner=owner, name="Alice", sex="F")
    Membership.objects.create(person=person, account=bob, role=EDITOR)
    Membership.objects.create(person=person, account=carol, role=VIEWER)
    infusion = Infusion(patient=person, given_on=days(-300), product="derisomaltose", dose_mg=1000)
    services.save_record(infusion)
    for day, value in ((-290, 400), (-200, 150), (-100, 80)):
        ferritin(person, days(day), value)
    operator = make_user("root@example.com")
    operator.is_staff = operator.is_superuser = True
    operator.save()
    return {
        "pk": person.pk,
        "accounts": {"owner": owner, "bob": bob, "carol": carol},
        "members": {name: client_for(a) for name, a in (("owner", owner), ("bob", bob))}
        | {"carol": client_for(carol)},
        "admin": force_login_with_two_factor(Client(), operator),
    }


def person(w):
    return Patient.objects.get(pk=w["pk"])


def latest_draw(w):
    return LabDraw.objects.filter(patient_id=w["pk"]).latest("drawn_on")


def deleted_history(model, pk):
    return model.history.filter(id=pk, history_type="-").first()


def move_latest_draw(w):
    draw = latest_draw(w)
    draw.drawn_on = days(-5)
    services.save_draw(draw, None)


def restore_latest_draw(w):
    draw = latest_draw(w)
    pk = draw.pk
    services.delete_draw(draw)
    services.restore(deleted_history(LabDraw, pk))


def restore_infusion(w):
    infusion = Infusion.objects.get(patient_id=w["pk"])
    pk = infusion.pk
    services.delete_record(infusion)
    services.restore(deleted_history(Infusion, pk))


def setting(field, value):
    def change(w):
        changed = person(w)
        setattr(changed, field, value)
        services.save_person(changed)

    return change


def region(account, code):
    """As the account settings page changes it."""
    account.region = code
    account.save()
    bump_account_version(account.pk)


def course(w):
    services.save_treatment(
        OralIronCourse(
            patient=person(w),
            started_on=days(-120),
            ended_on=days(-90),
            product="ferrous_sulfate",
            elemental_mg=65,
        )
    )


def open_recheck(w):
    return Reminder.objects.open().select_related("patient").get(patient_id=w["pk"])


def form_post(client, url, changes):
    """Post a form as shown, with `changes` (None: left empty)."""
    form = client.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is True:
            value = "on"
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        if value not in (None, False):
            data[name] = value
    data = {k: v for k, v in (data | changes).items() if v is not None}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def imported(client, w, name, content):
    response = client.post(
        preview_url(post_file(client, person(w), name, content)), {"action": "confirm"}
    )
    assert response.status_code == 302


def admin_post(w, url, data):
    assert w["admin"].post(url, data).status_code == 302


def admin_change(w, url, changes):
    response = w["admin"].get(url)
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form.initial.get(name)
        if value not in (None, False):
            data[name] = "on" if value is True else value
    for formset in response.context.get("inline_admin_formsets", []):
        management = formset.formset.management_form
        for key, value in management.initial.items():
            data[f"{formset.formset.prefix}-{key}"] = value
    admin_post(w, url, data | changes)


def bulk_delete(w, model, ids):
    admin_post(
        w, f"/admin/{model}/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )


CSV = f"Date,Ferritin (µg/L)\n{days(-6).isoformat()},19\n{days(-2).isoformat()},250\n"
INFUSIONS_CSV = f"Date given,Product,Dose (mg)\n{days(-8).isoformat()},Ferumoxytol,510\n"
BUNDLE = fhir_resources.bundle(
    fhir_resources.observation(
        valueQuantity={"value": 15, "unit": "ng/mL"}, effectiveDateTime=days(-4).isoformat()
    ),
    fhir_resources.given_iron("Monofer", dose=1000, effectiveDateTime=days(-3).isoformat()),
)

WRITERS = {
    "new result": lambda w: ferritin(person(w), days(-10), 30),
    "result moved": move_latest_draw,
    "result deleted": lambda w: services.delete_draw(latest_draw(w)),
    "result restored": restore_latest_draw,
    "result left out": lambda w: services.leave_out(latest_draw(w), "other", "lab mix-up"),
    "infusion added": lambda w: services.save_record(
        Infusion(patient=person(w), given_on=days(-20), product="derisomaltose", dose_mg=500)
    ),
    "infusion deleted": lambda w: services.delete_record(Infusion.objects.get(patient_id=w["pk"])),
    "infusion restored": restore_infusion,
    "oral iron course": course,
    "medicine": lambda w: services.save_treatment(
        Medication(patient=person(w), drug="pramipexole", dose=0.25, started_on=days(-30))
    ),
    "symptom score": lambda w: services.save_record(
        SymptomScore(patient=person(w), recorded_on=days(-3), severity=20)
    ),
    "threshold": setting("ferritin_threshold", 100),
    "days ahead": setting("reminder_lead_days", 20),
    "due soon days": setting("due_soon_days", 30),
    "skip weekends": setting("skip_weekends", True),
    "oral iron kept in": lambda w: (course(w), setting("leave_out_oral_iron", False)(w)),
    "renamed": setting("name", "Alicia"),
    "person deleted": lambda w: services.delete_person(person(w)),
    "person deleted and back": lambda w: (
        services.delete_person(person(w)),
        services.undo_delete_person(person(w)),
    ),
    "member made editor": lambda w: sharing.change_role(
        Membership.objects.get(account=w["accounts"]["carol"]), EDITOR
    ),
    "member removed": lambda w: sharing.remove_member(
        Membership.objects.get(account=w["accounts"]["carol"])
    ),
    "owner's region": lambda w: region(w["accounts"]["owner"], "DE"),
    "a member's region": lambda w: region(w["accounts"]["bob"], "GB"),
    "reminders off": lambda w: sharing.set_gets_reminders(w["accounts"]["bob"], [w["pk"]], False),
    "recompute_reminders": lambda w: call_command("recompute_reminders", stdout=io.StringIO()),
    "snoozed": lambda w: scheduler.snooze(open_recheck(w), days(40)),
    "dismissed": lambda w: scheduler.dismiss(open_recheck(w)),
    "snoozed, then due soon days": lambda w: (
        scheduler.snooze(open_recheck(w), days(40)),
        setting("due_soon_days", 30)(w),
    ),
    "lab form": lambda w: form_post(
        w["members"]["bob"],
        f"/patients/{w['pk']}/draws/new/",
        {"drawn_on": days(-7).isoformat(), "ferritin": "22", "ferritin_unit": "µg/L"},
    ),
    "settings form": lambda w: form_post(
        w["members"]["owner"],
        f"/patients/{w['pk']}/edit/",
        {"ferritin_threshold": "60", "skip_weekends": "on", "leave_out_oral_iron": None},
    ),
    "CSV import": lambda w: imported(w["members"]["bob"], w, "r.csv", CSV.encode()),
    "CSV infusions": lambda w: imported(w["members"]["owner"], w, "i.csv", INFUSIONS_CSV.encode()),
    "FHIR import": lambda w: imported(w["members"]["owner"], w, "b.json", BUNDLE),
    "admin: threshold": lambda w: admin_change(
        w, f"/admin/tracking/patient/{w['pk']}/change/", {"ferritin_threshold": 120}
    ),
    "admin: owner": lambda w: admin_change(
        w, f"/admin/tracking/patient/{w['pk']}/change/", {"owner": w["accounts"]["bob"].pk}
    ),
    "admin: result moved": lambda w: admin_change(
        w, f"/admin/tracking/labdraw/{latest_draw(w).pk}/change/", {"drawn_on": days(-3)}
    ),
    "admin: infusion added": lambda w: admin_post(
        w,
        "/admin/tracking/infusion/add/",
        {"patient": w["pk"], "given_on": days(-15), "product": "derisomaltose", "dose_mg": 1000},
    ),
    "admin: result deleted": lambda w: admin_post(
        w, f"/admin/tracking/labdraw/{latest_draw(w).pk}/delete/", {"post": "yes"}
    ),
    "admin: infusions deleted": lambda w: bulk_delete(
        w, "tracking/infusion", list(Infusion.objects.values_list("pk", flat=True))
    ),
    "admin: person deleted": lambda w: bulk_delete(w, "tracking/patient", [w["pk"]]),
    "admin: owner's account deleted": lambda w: admin_post(
        w, f"/admin/accounts/user/{w['accounts']['owner'].pk}/delete/", {"post": "yes"}
    ),
}


@pytest.mark.parametrize("writer", list(WRITERS))
def test_what_is_derived_is_right_after(world, writer):
    pk, members = world["pk"], world["members"]
    for client in members.values():  # each member's pages cached before the change
        for url in urls(pk):
            client.get(url)
    assert derived_problems(pk) == []
    WRITERS[writer](world)
    assert derived_problems(pk) + cache_problems(members, pk) == []


def test_the_checks_see_a_change_made_past_the_services(world):
    pk, members = world["pk"], world["members"]
    for client in members.values():
        for url in urls(pk):
            client.get(url)
    set_calendar_names(world["accounts"]["owner"], True)  # the name is in the event
    Patient.objects.filter(pk=pk).update(ferritin_threshold=300, name="Zed")
    found = {problem[0] for problem in derived_problems(pk) + cache_problems(members, pk)}
    assert found == {
        *("re-check", "worklist row", "past estimates", "calendar event", "stale cached page")
    }
