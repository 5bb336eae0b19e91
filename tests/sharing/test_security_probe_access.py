"""Attacks on shared records (issue 15, Security), part two: ids of other people's objects
are a missing id's answer, body for body; no role escalation through a form field or a
shared path; odd input on every sharing form is never a 500 (SQLite and PostgreSQL);
nothing cached survives a change of membership; one access-log row per page view."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from rlsapp.links import services as links
from rlsapp.links.models import ReadOnlyLink
from rlsapp.sharing import services
from rlsapp.sharing.models import PENDING, Invitation, Transfer
from rlsapp.tracking.access_log import AccessLogEntry
from rlsapp.tracking.memberships import EDITOR, OWNER, VIEWER, Membership
from rlsapp.tracking.models import Patient
from tests.conftest import client_for
from tests.reminders.helpers import add_ferritin
from tests.sharing import probe_helpers
from tests.sharing.probe_helpers import hand_over, page_text

pytestmark = pytest.mark.django_db

# The probe's accounts (probe_helpers): Bob edits Alice's person, Vera views it.
bob, vera = probe_helpers.bob, probe_helpers.vera


@pytest.fixture
def other(outsider):
    """Charlie's own person."""
    person = Patient.objects.create(owner=outsider, name="Dora", sex="F")
    return person


def _same_as_missing(client, name, real_kwargs, missing_kwargs, data=None):
    real = client.post(reverse(name, kwargs=real_kwargs), data or {})
    missing = client.post(reverse(name, kwargs=missing_kwargs), data or {})
    assert real.status_code == missing.status_code == 404, name
    assert page_text(real) == page_text(missing), name


def test_ids_of_another_persons_objects_are_the_404_of_missing_ones(
    owner, owner_client, patient, outsider, other, make_user
):
    dora_member = make_user("dmember@example.com")
    theirs = Membership.objects.create(person=other, account=dora_member, role=VIEWER)
    invitation, _ = services.invite(other, outsider, "x@example.com", VIEWER)
    link, _ = links.make_link(other, outsider)
    # Alice names Charlie's objects under her own person, and directly.
    for name in ("patient_people_role", "patient_people_remove"):
        _same_as_missing(
            owner_client,
            name,
            {"pk": patient.pk, "member": theirs.pk},
            {"pk": patient.pk, "member": 10**9},
            {"role": EDITOR},
        )
    real = owner_client.post(
        reverse("patient_invite_withdraw", args=[patient.pk]), {"invitation": invitation.pk}
    )
    missing = owner_client.post(
        reverse("patient_invite_withdraw", args=[patient.pk]), {"invitation": 10**9}
    )
    assert real.status_code == missing.status_code == 404
    assert page_text(real) == page_text(missing)
    _same_as_missing(owner_client, "link_revoke", {"pk": link.pk}, {"pk": 10**9})
    assert Invitation.objects.get(pk=invitation.pk).status == PENDING
    assert ReadOnlyLink.objects.get(pk=link.pk).revoked_at is None
    assert Membership.objects.get(pk=theirs.pk).role == VIEWER


def test_an_editor_cannot_move_the_person_to_themselves_through_the_form(bob, patient, owner):
    page = client_for(bob).get(reverse("patient_edit", args=[patient.pk])).content.decode()
    assert 'name="owner"' not in page
    data = {
        "name": "Alice",
        "sex": "F",
        "owner": bob.pk,
        "owner_id": bob.pk,
        "deleted_at": "2020-01-01",
        "data_version": 99,
    }
    client_for(bob).post(reverse("patient_edit", args=[patient.pk]), data)
    patient.refresh_from_db()
    assert patient.owner == owner and patient.deleted_at is None
    assert Membership.objects.get(person=patient, account=bob).role == EDITOR


@pytest.mark.parametrize("who", ["bob", "vera"])
def test_members_cannot_undo_the_owners_delete(request, who, owner, patient):
    member = request.getfixturevalue(who)
    from rlsapp.tracking.services import people

    people.delete_person(patient)
    response = client_for(member).post(reverse("patient_undelete", args=[patient.pk]), {})
    stranger = client_for(member).post(reverse("patient_undelete", args=[10**9]), {})
    assert response.status_code == stranger.status_code == 404
    assert Patient.objects.get(pk=patient.pk).deleted_at is not None


def test_a_member_chooses_reminders_only_for_themselves(vera, bob, patient):
    Membership.objects.filter(account=bob).update(gets_reminders=False)
    Membership.objects.filter(account=vera).update(gets_reminders=False)
    client_for(vera).post(reverse("reminder_people"), {"shown": [patient.pk], "gets": [patient.pk]})
    client_for(vera).post(reverse("reminder_people"), {"action": "take_editable"})
    assert not Membership.objects.get(account=bob).gets_reminders
    # A viewer may take their own reminders; "every person you can edit" is none of theirs.
    assert Membership.objects.get(account=vera).gets_reminders
    client_for(vera).post(reverse("reminder_people"), {"action": "drop_editable"})
    assert Membership.objects.get(account=vera).gets_reminders


ODD = ["\x00", "a" * 5000, " ", "١٢", "²", "-1", "99999999999999999999999", "😀"]


@pytest.mark.parametrize("value", ODD)
def test_odd_input_on_every_sharing_form_is_never_a_500(
    owner, owner_client, patient, bob, today, value
):
    pk = patient.pk
    member = Membership.objects.get(account=bob).pk
    _, token = services.invite(patient, owner, "kate@example.com", EDITOR)
    posts = [
        (reverse("patient_invite", args=[pk]), {"email": value, "role": value}),
        (reverse("patient_invite", args=[pk]), {"email": f"a{value}@example.com", "role": EDITOR}),
        (reverse("patient_invite_withdraw", args=[pk]), {"invitation": value}),
        (reverse("patient_people_role", args=[pk, member]), {"role": value}),
        (reverse("patient_transfer", args=[pk]), {"action": value, "member": value}),
        (reverse("patient_transfer", args=[pk]), {"action": "invite", "email": value}),
        (reverse("patient_links", args=[pk]), {"label": value, "days": value}),
        (reverse("reminder_people"), {"shown": [value], "gets": [value], "action": value}),
        (reverse("patient_this_is_me", args=[pk]), {"me": value, "next": value}),
        (reverse("patient_undelete", args=[pk]), {"offered": value}),
        (reverse("invitation_accept", args=[token]), {"gets_reminders": value}),
        (reverse("patient_leave", args=[pk]), {}),
    ]
    for url, data in posts:
        response = owner_client.post(url, data)
        assert response.status_code < 500, (url, data)
    for url in (
        f"/invite/{value}/",
        f"/shared/{value}/",
        f"/patients/{pk}/people/{value}/role/",
        f"/links/{value}/revoke/",
    ):
        assert owner_client.get(url).status_code < 500, url
        assert owner_client.post(url, {}).status_code < 500, url
    assert Patient.objects.get(pk=pk).owner == owner


HUGE = 2**63  # beyond PostgreSQL's bigint


@pytest.mark.parametrize("method", ["get", "post", "put", "delete", "head", "options"])
def test_missing_fields_huge_ids_and_every_method_on_sharing_urls(
    owner, owner_client, patient, bob, method
):
    member = Membership.objects.get(account=bob).pk
    _, token = services.invite(patient, owner, "kate@example.com", EDITOR)
    link, link_token = links.make_link(patient, owner)
    urls = [
        reverse("patient_people", args=[patient.pk]),
        reverse("patient_people_role", args=[patient.pk, member]),
        reverse("patient_people_remove", args=[patient.pk, member]),
        reverse("patient_invite", args=[patient.pk]),
        reverse("patient_invite_withdraw", args=[patient.pk]),
        reverse("patient_transfer", args=[patient.pk]),
        reverse("patient_links", args=[patient.pk]),
        reverse("link_revoke", args=[link.pk]),
        reverse("reminder_people"),
        reverse("invitation_accept", args=[token]),
        reverse("link_report", args=[link_token]),
        reverse("patient_access_log", args=[patient.pk]),
        f"/patients/{HUGE}/people/",
        f"/patients/{patient.pk}/people/{HUGE}/role/",
        f"/patients/{HUGE}/transfer/",
        f"/links/{HUGE}/revoke/",
        f"/patients/{HUGE}/links/",
        f"/patients/{HUGE}/leave/",
    ]
    for url in urls:
        response = getattr(owner_client, method)(url)  # no fields at all
        assert response.status_code < 500, (method, url)
    assert Patient.objects.get(pk=patient.pk).owner == owner


def _person_page(client, patient):
    return client.get(reverse("patient_detail", args=[patient.pk]))


def test_a_cached_page_follows_each_change_of_role_and_owner(owner, patient, bob, today):
    add_ferritin(patient, today, 40)
    edit_url = reverse("patient_edit", args=[patient.pk])
    people_url = reverse("patient_people", args=[patient.pk])
    alice, bobs = client_for(owner), client_for(bob)
    for _ in range(2):  # the second from the cache
        assert people_url in _person_page(alice, patient).content.decode()
        page = _person_page(bobs, patient).content.decode()
        assert edit_url in page and people_url not in page
    services.change_role(Membership.objects.get(account=bob), VIEWER)
    assert edit_url not in _person_page(bobs, patient).content.decode()
    services.change_role(Membership.objects.get(account=bob), EDITOR)
    assert edit_url in _person_page(bobs, patient).content.decode()
    hand_over(patient, owner, bob)
    assert people_url in _person_page(bobs, patient).content.decode()
    assert people_url not in _person_page(alice, patient).content.decode()
    services.remove_member(Membership.objects.get(account=owner, person=patient))
    assert _person_page(alice, patient).status_code == 404


def test_a_deleted_person_is_a_404_to_every_member_until_the_undo(owner, patient, bob, vera, today):
    from rlsapp.tracking.services import people

    add_ferritin(patient, today, 40)
    clients = [client_for(u) for u in (owner, bob, vera)]
    missing = [c.get(reverse("patient_detail", args=[10**9])) for c in clients]
    for c in clients:
        assert _person_page(c, patient).status_code == 200
    people.delete_person(patient)
    for c, gone in zip(clients, missing, strict=True):
        page = _person_page(c, patient)
        assert page.status_code == 404 and page_text(page) == page_text(gone)
        assert "Alice" not in c.get(reverse("worklist")).content.decode()
    people.undo_delete_person(Patient.objects.get(pk=patient.pk))
    for c in clients:
        assert _person_page(c, patient).status_code == 200


def test_one_row_per_page_view_and_none_for_a_refusal(owner, patient, vera, today):
    add_ferritin(patient, today, 40)
    alice = client_for(owner)
    _person_page(alice, patient)
    _person_page(alice, patient)  # from the cache
    alice.get(reverse("patient_chart_data", args=[patient.pk]))  # part of the page
    assert AccessLogEntry.objects.filter(person=patient).count() == 2
    client_for(vera).post(reverse("patient_edit", args=[patient.pk]), {"name": "X"})  # 403
    client_for(vera).get(reverse("patient_access_log", args=[patient.pk]))  # 403
    assert AccessLogEntry.objects.filter(person=patient).count() == 2
    page = alice.get(reverse("patient_access_log", args=[patient.pk]))
    assert page.status_code == 200
    # Who, when, which page: never the values.
    assert ">40<" not in page.content.decode()


def test_posted_roles_and_members_beyond_the_forms_are_ignored(
    owner, owner_client, patient, make_user, outsider, other
):
    kate = make_user("kate@example.com")
    _, token = services.invite(patient, owner, "kate@example.com", VIEWER)
    client_for(kate).post(
        reverse("invitation_accept", args=[token]), {"role": OWNER, "is_transfer": "1"}
    )
    assert Membership.objects.get(account=kate).role == VIEWER
    assert Patient.objects.get(pk=patient.pk).owner == owner
    # A member of Charlie's person offered Alice's person: not one of its members.
    theirs = Membership.objects.create(
        person=other, account=make_user("d@example.com"), role=VIEWER
    )
    response = owner_client.post(
        reverse("patient_transfer", args=[patient.pk]), {"action": "propose", "member": theirs.pk}
    )
    assert response.status_code == 400 and not Transfer.objects.exists()
    # A role beyond the two an owner may give.
    response = owner_client.post(
        reverse("patient_people_role", args=[patient.pk, Membership.objects.get(account=kate).pk]),
        {"role": OWNER},
    )
    assert Membership.objects.get(account=kate).role == VIEWER
    assert Patient.objects.get(pk=patient.pk).owner == owner


PERSON_URLS = [
    "patient_detail",
    "patient_edit",
    "patient_delete",
    "patient_history",
    "patient_access_log",
    "patient_people",
    "patient_invite",
    "patient_transfer",
    "patient_links",
    "patient_leave",
    "patient_report",
    "patient_chart_data",
    "patient_export_csv",
    "draw_create",
    "patient_import",
]


@pytest.mark.parametrize("who", ["stranger", "removed"])
def test_a_stranger_and_a_removed_member_get_the_missing_ids_page(
    who, owner, patient, outsider, make_user, today
):
    add_ferritin(patient, today, 40)
    if who == "removed":
        account = make_user("gone@example.com")
        services.remove_member(
            Membership.objects.create(person=patient, account=account, role=EDITOR)
        )
    else:
        account = outsider
    client = client_for(account)
    missing = 10**9
    for name in PERSON_URLS:
        for method in ("get", "post"):
            real = getattr(client, method)(reverse(name, args=[patient.pk]))
            none = getattr(client, method)(reverse(name, args=[missing]))
            assert (real.status_code, page_text(real)) == (none.status_code, page_text(none)), (
                name,
                method,
            )
            assert real.status_code in (404, 405), (name, method)
    draw = patient.draws.get()
    for name in ("draw_edit", "draw_delete", "draw_leave_out"):
        for method in ("get", "post"):
            real = getattr(client, method)(reverse(name, args=[draw.pk]))
            none = getattr(client, method)(reverse(name, args=[missing]))
            assert (real.status_code, page_text(real)) == (none.status_code, page_text(none)), name


def test_an_editor_moved_to_viewer_cannot_confirm_or_discard_their_upload(owner, patient, bob):
    from rlsapp.interop.models import PendingImport
    from rlsapp.tracking.models import LabDraw
    from tests.test_isolation import pending_import_of

    pending = pending_import_of(bob, patient)
    services.change_role(Membership.objects.get(account=bob), VIEWER)
    url = reverse("interop_preview", args=[pending.token])
    for action in ("confirm", "discard", "import"):
        assert client_for(bob).post(url, {"action": action}).status_code == 403
    assert client_for(bob).get(url).status_code == 403
    assert not LabDraw.objects.filter(patient=patient).exists()
    assert PendingImport.objects.filter(pk=pending.pk).exists()
    # Removed, the upload goes with the access.
    services.remove_member(Membership.objects.get(account=bob))
    assert not PendingImport.objects.filter(pk=pending.pk).exists()
    assert client_for(bob).post(url, {"action": "confirm"}).status_code == 404


def test_the_stored_values_check_reaches_only_the_accounts_own_people(bob, vera, patient, today):
    add_ferritin(patient, today, 40)
    result = patient.draws.get().results.get()
    for member in (bob, vera):
        response = client_for(member).post(
            reverse("stored_values_check"),
            {"result": result.pk, "entered": result.entered_value, "choice": "0"},
        )
        assert response.status_code == 404


def test_reminders_history_rows_and_uploads_of_others_are_the_missing_ids_page(
    owner, patient, outsider, today
):
    import uuid

    from rlsapp.reminders.models import Reminder
    from rlsapp.tracking.models import LabDraw
    from rlsapp.tracking.services.records import delete_draw
    from tests.test_isolation import pending_import_of

    add_ferritin(patient, today - datetime.timedelta(days=60), 30)
    add_ferritin(patient, today, 40)
    delete_draw(patient.draws.order_by("drawn_on").first())
    deleted = LabDraw.history.get(history_type="-")
    reminder = Reminder.objects.filter(patient=patient).order_by("-pk").first()
    pending = pending_import_of(owner, patient)
    charlie = client_for(outsider)
    pairs = [
        ("reminder_snooze", [reminder.pk], [10**9]),
        ("reminder_dismiss", [reminder.pk], [10**9]),
        ("reminder_ics", [reminder.pk], [10**9]),
        ("interop_preview", [pending.token], [uuid.uuid4()]),
        ("restore_record", ["draw", deleted.history_id], ["draw", 10**9]),
    ]
    for name, real_args, missing_args in pairs:
        for method in ("get", "post"):
            real = getattr(charlie, method)(reverse(name, args=real_args))
            none = getattr(charlie, method)(reverse(name, args=missing_args))
            assert (real.status_code, page_text(real)) == (none.status_code, page_text(none)), name
    assert Reminder.objects.get(pk=reminder.pk).status == reminder.status
    assert LabDraw.objects.filter(patient=patient).count() == 1


def test_a_name_an_editor_types_is_text_on_every_members_page(owner, patient, bob, vera, today):
    """A malicious editor's markup in the person's name stays text (the worklist's rows
    are built by hand)."""
    from rlsapp.tracking import services as records

    add_ferritin(patient, today, 40)
    evil = '<img src=x onerror="alert(1)">'
    patient.name = evil
    records.save_person(patient, by=bob)
    _, token = links.make_link(patient, owner)
    alice = client_for(owner)
    pages = [
        (alice, reverse("worklist")),
        (alice, reverse("patient_detail", args=[patient.pk])),
        (alice, reverse("patient_people", args=[patient.pk])),
        (alice, reverse("patient_history", args=[patient.pk])),
        (alice, reverse("patient_report", args=[patient.pk])),
        (alice, reverse("reminders")),
        (client_for(vera), reverse("worklist")),
        (client_for(vera), reverse("patient_leave", args=[patient.pk])),
        (Client(), reverse("link_report", args=[token])),
    ]
    for client, url in pages:
        page = client.get(url).content.decode()
        assert "<img src=x" not in page, url
        if "worklist" in url or "people" in url:
            assert "&lt;img src=x" in page, url  # it is there, as text
    response = alice.post(
        reverse("patient_people_remove", args=[patient.pk, vera.memberships.get().pk]), follow=True
    )
    assert "<img src=x" not in response.content.decode()
