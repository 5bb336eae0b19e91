"""Every URL × every method × every role, with the answer each must get (issue 15, Security).

The test walks the URL configuration: a new URL fails here until it is named in RULES
with who may use it. The roles are the person's owner, an editor, a viewer, a member the
owner removed, a stranger with an account of their own, and an anonymous visitor:

- a member whose role allows what the URL does gets its page or its redirect (200, 302);
- a member whose role does not gets a 403, and nothing changes;
- a removed member and a stranger get the 404 of a missing id, and nothing changes;
- an anonymous visitor is sent to sign in (or, at a URL keyed by a token, gets a 404).

A view that refuses a method with 405 before looking anything up answers the same for
every id, the person's or nobody's, so it tells an outsider nothing; the test checks
exactly that by asking for a missing id too.

To add a role (the read-only link): name it in ROLES, make its client in `client_for`,
and say what it gets in `Rule.expected` (each rule class decides per role).
"""

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from rlsapp.interop.models import PendingImport
from rlsapp.links import services as links
from rlsapp.links.models import ReadOnlyLink
from rlsapp.reminders.models import Reminder
from rlsapp.sharing import services as sharing
from rlsapp.tracking import services
from rlsapp.tracking.memberships import EDITOR, VIEWER, Membership, role_allows
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, Patient, SymptomScore
from rlsapp.tracking.treatments import Medication, MedicationEvent, OralIronCourse
from tests.reminders.helpers import add_ferritin, add_infusion
from tests.tracking.helpers import draw_post, patient_post

OWNER, EDITOR_ROLE, VIEWER_ROLE = "owner", "editor", "viewer"
REMOVED, STRANGER, ANONYMOUS = "removed", "stranger", "anonymous"
# A visitor without an account holding a read-only link that has expired: everywhere what
# an anonymous visitor gets, at the link's own addresses the 404 of an unknown token.
EXPIRED_LINK = "expired_link"
NO_ACCOUNT = (ANONYMOUS, EXPIRED_LINK)
ROLES = [OWNER, EDITOR_ROLE, VIEWER_ROLE, REMOVED, STRANGER, ANONYMOUS, EXPIRED_LINK]
MEMBER_ROLE = {OWNER: "owner", EDITOR_ROLE: EDITOR, VIEWER_ROLE: VIEWER}
METHODS = ["get", "post"]
OK = {200, 302, 400}  # a page, a redirect, or a form sent back with its errors
MEMBER = "member"  # any member but the owner (leaving)


@dataclass(frozen=True)
class Person:
    """A page or an action about one person. The URL's first id names `obj` (one of the
    person's, in the `objects` fixture); `need` is what the account's role must allow."""

    need: str
    obj: str = "patient"
    methods: tuple = ("get", "post")

    def allows(self, role):
        if self.need == MEMBER:
            return role in (EDITOR_ROLE, VIEWER_ROLE)
        return role in MEMBER_ROLE and role_allows(MEMBER_ROLE[role], self.need)

    def expected(self, role, method):
        if role in NO_ACCOUNT:
            return {"login"}
        if role not in MEMBER_ROLE:  # removed, stranger: the answer to a missing id
            return {404} if method in self.methods else {404, "405 for any id"}
        if not self.allows(role):
            # A 405 before the lookup tells nothing; otherwise the role check answers.
            return {403} if method in self.methods else {403, 405}
        return OK if method in self.methods else {405}


@dataclass(frozen=True)
class Uploader(Person):
    """An upload waiting for its confirm belongs to the account that uploaded it (the
    owner here): any other account gets the 404 of a missing upload, members too."""

    def expected(self, role, method):
        if role in NO_ACCOUNT:
            return {"login"}
        if role != OWNER:
            return {404}
        return OK


@dataclass(frozen=True)
class Account:
    """A page of the signed-in account itself: no person's id in it."""

    methods: tuple = ("get", "post")
    ok: frozenset = frozenset(OK)

    def expected(self, role, method):
        if role in NO_ACCOUNT:
            return {"login"}
        return set(self.ok) if method in self.methods else {405}


@dataclass(frozen=True)
class Public:
    """Open to anyone (sign-in, sign-up, password reset): no person's data behind it."""

    ok: frozenset = frozenset({200, 302, 400, 403, 404, 405, 410, "login"})

    def expected(self, role, method):
        return set(self.ok)


@dataclass(frozen=True)
class Token:
    """Keyed by a secret token, not by an id: an unknown token is a 404 for everyone (a
    method the view refuses first is a 405 for any token, which tells nothing)."""

    methods: tuple = ("get", "post")

    def expected(self, role, method):
        return {404} if method in self.methods else {405}


@dataclass(frozen=True)
class Link:
    """A read-only link's page, at the token of a working link (anyone holding it reads,
    whoever they are; nothing else) or, for EXPIRED_LINK, of an expired one: a 404 as for
    an unknown token (tests/links/ tries revoked and unknown ones too)."""

    def expected(self, role, method):
        return {200} if method == "get" and role != EXPIRED_LINK else {404}


P = Person
RULES = {
    # web
    "home": Account(),
    "worklist": Account(),
    "worklist_order": Account(),
    "patient_detail": P("view"),
    # tracking: the person
    "patient_create": Account(),
    "patient_edit": P("edit"),
    "patient_delete": P("own"),
    "patient_undelete": P("view", methods=("post",)),  # "back already" for a member
    "patient_history": P("view"),
    "patient_access_log": P("own", methods=("get",)),
    "restore_record": P("edit", obj="deleted_draw", methods=("post",)),
    # tracking: records
    **{f"{kind}_list": P("view") for kind in ("draw", "infusion", "symptom", "course")},
    **{f"{kind}_create": P("edit") for kind in ("draw", "infusion", "symptom", "course")},
    "medicine_list": P("view"),
    "medicine_create": P("edit"),
    "medicine_event_list": P("view"),
    "medicine_event_create": P("edit", obj="medicine"),
    **{
        f"{kind}_{action}": P("edit", obj=kind)
        for kind in ("draw", "infusion", "symptom", "course", "medicine", "medicine_event")
        for action in ("edit", "delete")
    },
    "draw_leave_out": P("edit", obj="draw"),
    "draw_put_back": P("edit", obj="draw"),
    "augmentation_help": Account(),
    # The account's own people only (tests/tracking/test_stored_values.py); a POST naming
    # no result of theirs is the 404 of a missing result.
    "stored_values_check": Account(ok=frozenset(OK | {404})),
    # interop
    "patient_import": P("edit"),
    "interop_preview": Uploader("edit", obj="pending_import"),
    "patient_export_csv": P("view", methods=("get",)),
    "patient_export_fhir": P("view", methods=("get",)),
    "patient_export_spreadsheet": P("view", methods=("get",)),
    "account_export": Account(methods=("get",)),
    "account_delete": Account(),
    # reminders
    "reminders": Account(),
    "reminder_snooze": P("edit", obj="reminder"),
    "reminder_dismiss": P("edit", obj="reminder"),
    "reminder_ics": P("view", obj="reminder", methods=("get",)),
    "calendar_regenerate": Account(methods=("post",)),
    "calendar_stop": Account(methods=("post",)),
    "calendar_feed": Token(),
    # charts
    "patient_chart_data": P("view", methods=("get",)),
    "patient_report": P("view", methods=("get",)),
    "patient_chart_table": P("view", methods=("get",)),
    "patient_charts": P("view", methods=("get",)),
    # links
    "patient_links": P("own"),
    "link_revoke": P("own", obj="link", methods=("post",)),
    "link_report": Link(),
    "link_chart_data": Link(),
    # sharing
    "patient_people": P("own", methods=("get",)),
    "patient_people_role": P("own", methods=("post",)),
    "patient_people_remove": P("own"),
    "patient_leave": P(MEMBER),
    "patient_invite": P("own"),
    # No invitation named in the POST: the owner gets the 404 of a missing invitation.
    "patient_invite_withdraw": P("own", methods=("post",)),
    "invitation_accept": Token(),
    # Only the invited account declines; anyone else gets the 404 of an unknown token.
    "invitation_decline": Token(methods=("post",)),
    "patient_transfer": P("own"),  # or the member offered ownership (none here)
    "patient_this_is_me": P("view", methods=("post",)),
    "reminder_people": Account(methods=("post",)),  # whose re-checks the account gets
    # accounts
    "account_settings": Account(),
    "twofactor_setup": Account(),
    "twofactor_disable": Account(),
    "twofactor_recovery_codes": Account(),
    "end_other_sessions": Account(methods=("post",)),
    "password_change": Account(),
    "password_change_done": Account(methods=("get",)),
    **{
        name: Public()
        for name in (
            "signup",
            "signup_sent",
            "signup_confirm",
            "login",
            "login_verify",
            "logout",
            "password_reset",
            "password_reset_done",
            "password_reset_confirm",
            "password_reset_complete",
        )
    },
}
# What a 302 from an allowed POST may not hide: the owner withdrawing nothing gets a 404.
ALLOWED_ALSO = {("patient_invite_withdraw", "post"): {404}}
# Values for the URLs' parts that are not the object's id.
OTHER_KWARGS = {"kind": "draw", "uidb64": "MQ", "token": "x" * 20}


def url_patterns(resolver=None):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # staff only, with Django's own permission checks (test_admin.py)
            yield from url_patterns(entry)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = entry.pattern.converters
            ids = [n for n, c in converters.items() if type(c).__name__ in ID_CONVERTERS]
            # The object's id first, then the URL's other parts.
            yield entry.name, ids + [n for n in converters if n not in ids]


ID_CONVERTERS = ("IntConverter", "UUIDConverter")
URLS = sorted(url_patterns())


def test_every_url_has_a_rule():
    missing = [name for name, _ in URLS if name not in RULES]
    assert not missing, f"say who may use {missing} in RULES"


def test_the_walk_finds_the_urls_of_every_app():
    names = {name for name, _ in URLS}
    assert {
        "patient_detail",
        "draw_edit",
        "restore_record",
        "patient_chart_data",
        "patient_export_fhir",
        "interop_preview",
        "reminder_snooze",
        "medicine_event_create",
        "patient_people_remove",
        "patient_leave",
        "account_settings",
    } <= names


def pending_import_of(owner, patient):
    """Upload a real file as the owner, leaving it waiting in the preview."""
    client = Client()
    client.force_login(owner)
    content = (Path(__file__).parent / "data" / "eu_lab_export.csv").read_bytes()
    response = client.post(
        reverse("patient_import", args=[patient.pk]),
        {"file": SimpleUploadedFile("lab.csv", content, "text/csv"), "date_order": "auto"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return PendingImport.objects.get(patient=patient)


@dataclass
class World:
    objects: dict
    accounts: dict = field(default_factory=dict)
    other_member: Membership = None  # the target of the role and remove URLs
    link_tokens: dict = field(default_factory=dict)  # working and expired read-only links


@pytest.fixture
def world(owner, outsider, patient, make_user, today):
    draw = add_ferritin(patient, today, 80)
    deleted = add_ferritin(patient, today, 81)
    deleted_id = deleted.pk
    services.delete_draw(deleted)
    medicine = services.save_treatment(
        Medication(patient=patient, drug="gabapentin", dose=300, started_on=today)
    )
    objects = {
        "course": services.save_treatment(
            OralIronCourse(patient=patient, elemental_mg=65, started_on=today)
        ),
        "medicine": medicine,
        "medicine_event": services.save_treatment(
            MedicationEvent(medication=medicine, happened_on=today, kind="side_effect")
        ),
        "pending_import": pending_import_of(owner, patient),
        "deleted_draw": LabDraw.history.get(id=deleted_id, history_type="-"),
        "patient": patient,
        "draw": draw,
        "infusion": add_infusion(patient, today),
        "symptom": services.save_record(
            SymptomScore(patient=patient, recorded_on=today, severity=4)
        ),
        # Scheduled by the ferritin result and the infusion above.
        "reminder": Reminder.objects.open().get(patient=patient),
    }
    editor, viewer = make_user("bob@example.com"), make_user("carol@example.com")
    removed = make_user("erin@example.com")
    for account, role in ((editor, EDITOR), (viewer, VIEWER)):
        Membership.objects.create(person=patient, account=account, role=role)
    sharing.remove_member(Membership.objects.create(person=patient, account=removed, role=EDITOR))
    other = Membership.objects.create(
        person=patient, account=make_user("dave@example.com"), role=EDITOR
    )
    accounts = {
        OWNER: owner,
        EDITOR_ROLE: editor,
        VIEWER_ROLE: viewer,
        REMOVED: removed,
        STRANGER: outsider,
    }
    objects["link"], working = links.make_link(patient, owner)
    expired, expired_token = links.make_link(patient, owner, days=1)
    ReadOnlyLink.objects.filter(pk=expired.pk).update(expires=expired.created)
    tokens = {"working": working, "expired": expired_token}
    return World(objects, accounts, other, tokens)


def client_for(world, role):
    client = Client()
    if role in world.accounts:
        client.force_login(world.accounts[role])
    return client


def object_of(rule, world):
    return world.objects[rule.obj] if isinstance(rule, Person) else None


def url_for(name, kwargs, world, missing=False, role=None):
    rule = RULES[name]
    obj = object_of(rule, world)
    values = {k: OTHER_KWARGS.get(k) for k in kwargs}
    if isinstance(rule, Link):
        values["token"] = world.link_tokens["expired" if role == EXPIRED_LINK else "working"]
    if obj is not None:
        key = obj.token if isinstance(obj, PendingImport) else obj.pk
        if missing:
            key = "00000000-0000-4000-8000-000000000000" if kwargs[0] == "token" else 999999
        values[kwargs[0]] = key
    if "member" in kwargs:
        values["member"] = world.other_member.pk
    return reverse(name, kwargs=values)


def post_data(name, world, today):
    """What a real form would send, so that an allowed POST would change something."""
    person = world.objects["patient"]
    return {
        "patient_edit": patient_post("Mallory") | {"version": person.version},
        "draw_create": draw_post(today, ferritin="12"),
        "draw_edit": draw_post(today, ferritin="13") | {"version": 1},
        "infusion_create": {"given_on": str(today), "product": "derisomaltose", "dose_mg": "500"},
        "symptom_create": {"recorded_on": str(today), "severity": "7"},
        "draw_leave_out": {"reason": "illness", "version": 1},
        "reminder_snooze": {"weeks": "1"},
        "patient_people_role": {"role": VIEWER},
        "patient_this_is_me": {"me": "1"},
        "interop_preview": {"action": "confirm"},
        "patient_transfer": {"to": world.other_member.pk},
        "patient_invite": {"email": "mallory@example.com", "role": EDITOR},
    }.get(name, {})


def answer(response):
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return "login"
    return response.status_code


CASES = [(n, k, m, r) for n, k in URLS for m in METHODS for r in ROLES]


@pytest.mark.parametrize(
    ("name", "kwargs", "method", "role"), CASES, ids=[f"{n}-{m}-{r}" for n, _, m, r in CASES]
)
def test_each_role_gets_its_answer(world, name, kwargs, method, role, today):
    rule = RULES.get(name)
    if rule is None:
        pytest.fail(f"say who may use {name} in RULES")
    client = client_for(world, role)
    url = url_for(name, kwargs, world, role=role)
    data = post_data(name, world, today) if method == "post" else None
    got = answer(getattr(client, method)(url, data))
    expected = rule.expected(role, method)
    if "405 for any id" in expected and got == 405:
        missing = getattr(client, method)(url_for(name, kwargs, world, missing=True))
        assert missing.status_code == 405, f"{method.upper()} {url}: a 405 that tells the id"
        return
    allowed = expected | ALLOWED_ALSO.get((name, method), set()) if expected == OK else expected
    assert got in allowed, f"{role} {method.upper()} {url} answered {got}, expected {expected}"


def snapshot():
    """Everything a POST could change about the person, their records and who sees them."""
    models = [
        Patient,
        LabDraw,
        LabResult,
        Infusion,
        SymptomScore,
        OralIronCourse,
        Medication,
        MedicationEvent,
        Reminder,
        Membership,
        PendingImport,
        ReadOnlyLink,
    ]
    state = {m.__name__: list(m.objects.order_by("pk").values()) for m in models}
    state["User"] = list(get_user_model().objects.order_by("pk").values("pk", "me_id"))
    return state


@pytest.mark.parametrize("role", [r for r in ROLES if r != OWNER])
def test_nothing_changes_where_a_role_is_refused(world, role, today):
    """Every URL this role may not use, posted with what a real form would send."""
    client = client_for(world, role)
    before = snapshot()
    refused = []
    for name, kwargs in URLS:
        rule = RULES.get(name)  # a URL without a rule fails test_every_url_has_a_rule
        if not isinstance(rule, Person) or rule.expected(role, "post") & OK:
            continue
        response = client.post(url_for(name, kwargs, world), post_data(name, world, today))
        assert response.status_code in (403, 404, 405, 302), (name, response.status_code)
        refused.append(name)
    if role == EDITOR_ROLE:
        assert {"patient_delete", "patient_people_remove", "patient_people_role"} <= set(refused)
    else:
        assert {"draw_create", "draw_delete", "patient_edit", "restore_record"} <= set(refused)
    assert snapshot() == before


def test_an_editor_changes_records_and_a_viewer_reads_them(world, today):
    """The other side of the matrix: the allowed POSTs do change things."""
    person = world.objects["patient"]
    editor = client_for(world, EDITOR_ROLE)
    response = editor.post(
        reverse("draw_create", args=[person.pk]), post_data("draw_create", world, today)
    )
    assert response.status_code == 302
    assert LabResult.objects.filter(draw__patient=person, value=12).exists()
    viewer = client_for(world, VIEWER_ROLE)
    assert viewer.get(reverse("patient_report", args=[person.pk])).status_code == 200
    assert viewer.get(person.get_absolute_url()).status_code == 200


def test_a_removed_member_sees_what_a_stranger_sees(world):
    person = world.objects["patient"]
    removed, stranger = client_for(world, REMOVED), client_for(world, STRANGER)
    for url in (person.get_absolute_url(), reverse("worklist"), reverse("home")):
        a, b = removed.get(url), stranger.get(url)
        assert (a.status_code, a.get("Location")) == (b.status_code, b.get("Location"))


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get(world.objects["patient"].get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
