"""Attacks on shared records (issue 15, Security): ids of other people's objects, role
escalation, invitations and links that outlived the ownership that made them, lookalike
addresses, odd input on every sharing form. Each test here failed before its fix or pins
a defence the review relied on."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rlsapp.links import services as links
from rlsapp.links.models import ReadOnlyLink
from rlsapp.sharing import services
from rlsapp.sharing.models import PENDING, WITHDRAWN, Invitation, Transfer
from rlsapp.tracking.access_log import AccessLogEntry
from rlsapp.tracking.memberships import EDITOR, OWNER, VIEWER, Membership
from rlsapp.tracking.models import Patient
from tests.reminders.helpers import add_ferritin

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def bob(make_user, patient):
    """An editor of Alice's person."""
    bob = make_user("bob@example.com")
    Membership.objects.create(person=patient, account=bob, role=EDITOR)
    return bob


@pytest.fixture
def vera(make_user, patient):
    """A viewer of Alice's person."""
    vera = make_user("vera@example.com")
    Membership.objects.create(person=patient, account=vera, role=VIEWER)
    return vera


@pytest.fixture
def other(outsider):
    """Charlie's own person, with a member, an invitation, a link and a transfer."""
    person = Patient.objects.create(owner=outsider, name="Dora", sex="F")
    return person


def hand_over(patient, owner, to):
    transfer = services.propose_transfer(
        patient, owner, Membership.objects.get(person=patient, account=to)
    )
    services.accept_transfer(transfer, to)


# Invitations -------------------------------------------------------------------


def test_an_invitation_from_a_previous_owner_stops_working_at_a_transfer(
    owner, patient, bob, make_user
):
    """Alice invites Mallory, then hands the person to Bob: the invitation was Alice's to
    make as the owner, and Bob, now deciding who has access, never made it."""
    mallory = make_user("mallory@example.com")
    invitation, token = services.invite(patient, owner, "mallory@example.com", VIEWER)
    hand_over(patient, owner, bob)
    page = client_for(mallory).get(reverse("invitation_accept", args=[token]))
    assert page.status_code == 410 and "Alice" not in page.content.decode()
    response = client_for(mallory).post(reverse("invitation_accept", args=[token]), {})
    assert response.status_code == 410
    assert not Membership.objects.filter(account=mallory).exists()
    assert Invitation.objects.get(pk=invitation.pk).status == WITHDRAWN


def test_an_invitation_whose_inviter_no_longer_owns_is_refused_by_the_service(
    owner, patient, bob, make_user
):
    """However ownership moved (the admin, a transfer racing the accept), the service
    checks the inviter still owns the person when the invitation is taken."""
    mallory = make_user("mallory@example.com")
    invitation, _ = services.invite(patient, owner, "mallory@example.com", EDITOR)
    Patient.objects.filter(pk=patient.pk).update(owner=bob)
    Membership.objects.filter(person=patient).delete()
    Membership.objects.create(person=patient, account=bob, role=OWNER)
    invitation.refresh_from_db()
    with pytest.raises(services.SharingRefused):
        services.accept_invitation(invitation, mallory, False)
    assert not Membership.objects.filter(account=mallory).exists()


@pytest.mark.parametrize(
    "address",
    [
        "kate@example.co\u1d0d",  # small capital M: a different domain
        "k\u0430te@example.com",  # Cyrillic a
    ],
)
def test_only_the_invited_mailbox_accepts_not_a_lookalike(owner, patient, make_user, address):
    # (A Kelvin sign "\u212a" would be no lookalike: every way of making an account stores
    # the address lower-cased, "kate@…", and mails that address.)
    lookalike = make_user(address)  # an operator-made account: confirmed
    assert lookalike.email_confirmed
    _, token = services.invite(patient, owner, "Kate@Example.com", EDITOR)
    response = client_for(lookalike).post(reverse("invitation_accept", args=[token]), {})
    assert response.status_code == 403
    assert not Membership.objects.filter(account=lookalike).exists()


def test_the_invited_address_in_another_case_accepts(owner, patient, make_user):
    kate = make_user("KATE@example.com")
    _, token = services.invite(patient, owner, "kate@EXAMPLE.com", VIEWER)
    response = client_for(kate).post(reverse("invitation_accept", args=[token]), {})
    assert response.status_code == 302
    assert Membership.objects.get(account=kate).role == VIEWER


def test_an_unconfirmed_account_of_the_invited_address_cannot_accept(owner, patient, make_user):
    kate = make_user("kate@example.com")
    kate.email_confirmed = False
    kate.save()
    invitation, _ = services.invite(patient, owner, "kate@example.com", EDITOR)
    with pytest.raises(services.SharingRefused):
        services.accept_invitation(invitation, kate, True)
    assert not Membership.objects.filter(account=kate).exists()


def test_a_second_accept_of_one_invitation_is_refused(owner, patient, make_user):
    kate = make_user("kate@example.com")
    invitation, token = services.invite(patient, owner, "kate@example.com", EDITOR)
    first = Invitation.objects.get(pk=invitation.pk)
    second = Invitation.objects.get(pk=invitation.pk)  # read before the first was taken
    services.accept_invitation(first, kate, True)
    with pytest.raises(services.SharingRefused):
        services.accept_invitation(second, kate, True)
    assert Membership.objects.filter(account=kate).count() == 1


def test_the_invitation_page_keeps_its_token_out_of_other_sites_referers(owner, patient):
    _, token = services.invite(patient, owner, "kate@example.com", EDITOR)
    response = Client().get(reverse("invitation_accept", args=[token]))
    assert response.status_code == 200
    # same-origin: no other site is sent the address; the app's own log lines are redacted.
    # (Not no-referrer: the browser would then send "Origin: null" with the Accept form,
    # and the CSRF check would refuse it.)
    assert response["Referrer-Policy"] == "same-origin"
    # Without a session too: no proxy or shared browser keeps it; no search engine lists it.
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    gone = Client().get(reverse("invitation_accept", args=["A" * 43]))
    assert gone.status_code == 404 and "no-store" in gone["Cache-Control"]


ELSEWHERE = ["//evil.example/x", "https://evil.example/", "/\\evil.example", "evil.example"]
# A bare word was taken for a URL pattern's name by redirect(): a 500, or that page.
WORDS = ["abc", "\u0661\u0662", "logout", "account_delete"]


@pytest.mark.parametrize("target", ELSEWHERE + WORDS)
def test_next_through_sign_up_goes_nowhere_else(client, db, target):
    page = client.get(reverse("signup"), {"next": target}).content.decode()
    assert f'name="next" value="{target}"' not in page and "evil.example" not in page


@pytest.mark.parametrize("target", ELSEWHERE + WORDS)
def test_next_after_this_is_me_stays_on_the_site(owner_client, patient, target):
    response = owner_client.post(
        reverse("patient_this_is_me", args=[patient.pk]), {"me": "1", "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("patient_detail", args=[patient.pk])


@pytest.mark.parametrize("target", ELSEWHERE + WORDS)
def test_next_after_the_two_factor_code_stays_on_the_site(client, owner, target):
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.conftest import PASSWORD

    device = TOTPDevice.objects.create(user=owner, name="app", confirmed=True)
    login = reverse("login")
    client.post(login, {"username": owner.email, "password": PASSWORD, "next": target})
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    response = client.post(reverse("login_verify"), {"token": f"{totp.token():06d}"})
    assert response.status_code == 302 and response["Location"] == reverse("home")


# Links -------------------------------------------------------------------------


def test_the_previous_owners_links_stop_at_a_transfer(owner, patient, bob):
    """The new owner decides who sees the record; the old owner, now an editor, could not
    even revoke the links they made."""
    link, token = links.make_link(patient, owner)
    assert Client().get(reverse("link_report", args=[token])).status_code == 200
    hand_over(patient, owner, bob)
    assert Client().get(reverse("link_report", args=[token])).status_code == 404
    assert Client().get(reverse("link_chart_data", args=[token])).status_code == 404
    # The new owner's list shows it revoked, and a link they make works.
    assert ReadOnlyLink.objects.get(pk=link.pk).status() == "revoked"
    _, theirs = links.make_link(patient, bob)
    assert Client().get(reverse("link_report", args=[theirs])).status_code == 200


def test_a_link_works_only_while_its_maker_owns_the_person(owner, patient, bob):
    """However ownership moved, even without the signal (a raw update in the shell)."""
    _, token = links.make_link(patient, owner)
    Patient.objects.filter(pk=patient.pk).update(owner=bob)
    assert Client().get(reverse("link_report", args=[token])).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "delete", "options", "patch"])
def test_a_link_answers_other_methods_as_an_unknown_token(owner, patient, method):
    _, token = links.make_link(patient, owner)
    working = getattr(Client(), method)(reverse("link_report", args=[token]))
    unknown = getattr(Client(), method)(reverse("link_report", args=["x" * 43]))
    assert working.status_code == unknown.status_code == 404
    assert _page(working) == _page(unknown)


@pytest.mark.parametrize("token", ["a" * 65, "a" * 2000, "%00", "..", "a%2Fb"])
def test_odd_link_tokens_are_404s(client, db, token):
    assert client.get(f"/shared/{token}/").status_code == 404
    assert client.get(f"/shared/{token}/charts.json").status_code == 404


def test_a_link_page_is_one_access_log_row_and_its_chart_data_none(owner, patient, today):
    add_ferritin(patient, today, 40)
    _, token = links.make_link(patient, owner)
    visitor = Client()
    visitor.get(reverse("link_report", args=[token]))
    visitor.get(reverse("link_chart_data", args=[token]))
    rows = AccessLogEntry.objects.filter(person=patient)
    assert rows.count() == 1
    row = rows.get()
    # The page's name, never its address (the token) nor anything of the records.
    assert row.page == "link_report" and "40" not in row.link_label


# Ids of other people's objects --------------------------------------------------


def _page(response):
    """The body without what differs on every answer (the masked CSRF token, the nonce)."""
    body = response.content.decode()
    return re.sub(r'(csrfmiddlewaretoken" value|nonce)="[^"]*"', r"\1=''", body)


def _same_as_missing(client, name, real_kwargs, missing_kwargs, data=None):
    real = client.post(reverse(name, kwargs=real_kwargs), data or {})
    missing = client.post(reverse(name, kwargs=missing_kwargs), data or {})
    assert real.status_code == missing.status_code == 404, name
    assert _page(real) == _page(missing), name


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
    assert _page(real) == _page(missing)
    _same_as_missing(owner_client, "link_revoke", {"pk": link.pk}, {"pk": 10**9})
    assert Invitation.objects.get(pk=invitation.pk).status == PENDING
    assert ReadOnlyLink.objects.get(pk=link.pk).revoked_at is None
    assert Membership.objects.get(pk=theirs.pk).role == VIEWER


def test_a_transfer_offered_to_bob_is_accepted_by_nobody_else(owner, patient, bob, vera):
    services.propose_transfer(patient, owner, Membership.objects.get(account=bob))
    url = reverse("patient_transfer", args=[patient.pk])
    assert client_for(vera).post(url, {"action": "accept"}).status_code == 403
    assert Patient.objects.get(pk=patient.pk).owner == owner
    assert Transfer.objects.get().status == PENDING


# Role escalation ----------------------------------------------------------------


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


# Odd input: never a 500 -----------------------------------------------------------

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


# Nothing cached survives a change of membership (the page cache is on in tests too) ---


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
        assert page.status_code == 404 and _page(page) == _page(gone)
        assert "Alice" not in c.get(reverse("worklist")).content.decode()
    people.undo_delete_person(Patient.objects.get(pk=patient.pk))
    for c in clients:
        assert _person_page(c, patient).status_code == 200


# The access log -------------------------------------------------------------------


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


# Races (PostgreSQL: SQLite runs one writer at a time) --------------------------------


def _at_once(*calls):
    import threading

    from django.db import connection as thread_connection

    barrier, outcomes = threading.Barrier(len(calls)), []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("done")
        except services.SharingRefused:
            outcomes.append("refused")
        except Exception as error:  # a deadlock, a lock timeout: the page would be a 503
            outcomes.append(type(error).__name__)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", range(5))  # the deadlock came in about half of the runs
def test_two_accepts_at_once_and_an_accept_racing_a_transfer(owner, patient, make_user, run):
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("a race needs PostgreSQL's concurrent transactions")
    kate = make_user("kate@example.com")
    invitation, _ = services.invite(patient, owner, "kate@example.com", EDITOR)
    copies = [Invitation.objects.get(pk=invitation.pk) for _ in range(4)]
    calls = [lambda i=i: services.accept_invitation(i, kate, True) for i in copies]
    assert _at_once(*calls) == ["done", "refused", "refused", "refused"]
    assert Membership.objects.filter(account=kate).count() == 1
    # Alice's invitation of Mallory against her transfer to Kate: Mallory never gets in
    # under Kate's ownership without Kate's invitation.
    mallory = make_user("mallory@example.com")
    pending, _ = services.invite(patient, owner, "mallory@example.com", VIEWER)
    transfer = services.propose_transfer(patient, owner, Membership.objects.get(account=kate))
    outcomes = _at_once(
        lambda: services.accept_transfer(transfer, kate),
        lambda: services.accept_invitation(pending, mallory, False),
    )
    assert set(outcomes) <= {"done", "refused"}, outcomes
    person = Patient.objects.get(pk=patient.pk)
    assert person.owner == kate
    joined = Membership.objects.filter(account=mallory).first()
    if joined is not None:  # the invitation came first, while Alice still owned
        assert Invitation.objects.get(pk=pending.pk).accepted_by == mallory
    else:
        assert Invitation.objects.get(pk=pending.pk).status == WITHDRAWN


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", range(4))
def test_a_removal_or_role_change_racing_the_members_transfer_accept(
    owner, patient, make_user, run
):
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("a race needs PostgreSQL's concurrent transactions")
    kate = make_user("kate@example.com")
    membership = Membership.objects.create(person=patient, account=kate, role=EDITOR)
    transfer = services.propose_transfer(patient, owner, membership)
    other_change = (
        (lambda: services.remove_member(membership))
        if run % 2
        else (lambda: services.change_role(membership, VIEWER))
    )
    outcomes = _at_once(lambda: services.accept_transfer(transfer, kate), other_change)
    assert set(outcomes) <= {"done", "refused"}, outcomes
    person = Patient.objects.get(pk=patient.pk)
    # One owner membership, the one Patient.owner names.
    assert list(
        Membership.objects.filter(person=person, role=OWNER).values_list("account", flat=True)
    ) == [person.owner_id]


# Ended invitations and links: the same page for their holder as for anyone ---------


def test_an_ended_invitation_shows_its_invitee_what_it_shows_a_stranger(
    owner, patient, make_user, outsider
):
    import time_machine

    kate = make_user("kate@example.com")
    used, used_token = services.invite(patient, owner, "kate@example.com", EDITOR)
    services.accept_invitation(used, kate, False)
    services.remove_member(Membership.objects.get(account=kate))  # removed since
    withdrawn, withdrawn_token = services.invite(patient, owner, "w@example.com", EDITOR)
    services.withdraw_invitation(withdrawn)
    _, expired_token = services.invite(patient, owner, "kate@example.com", VIEWER)
    later = timezone.now() + datetime.timedelta(days=8)
    for token in (used_token, withdrawn_token, expired_token):
        url = reverse("invitation_accept", args=[token])
        with time_machine.travel(later if token == expired_token else timezone.now()):
            for method in ("get", "post"):
                answers = [getattr(c, method)(url) for c in (client_for(kate), Client())]
                answers.append(getattr(client_for(outsider), method)(url))
                assert {a.status_code for a in answers} == {410}
                bodies = {_page(a).replace("kate@example.com", "") for a in answers}
                assert len({b.split("<main")[-1] for b in bodies}) == 1
                assert "Alice" not in answers[0].content.decode()
    assert not Membership.objects.filter(account=kate).exists()


@pytest.mark.parametrize("ended", ["revoked", "expired", "deleted person"])
def test_an_ended_link_answers_as_an_unknown_token(owner, patient, ended):
    from rlsapp.tracking.services import people

    link, token = links.make_link(patient, owner)
    if ended == "revoked":
        links.revoke(link)
    elif ended == "expired":
        ReadOnlyLink.objects.filter(pk=link.pk).update(expires=timezone.now())
    else:
        people.delete_person(patient)
    for name in ("link_report", "link_chart_data"):
        mine = Client().get(reverse(name, args=[token]))
        unknown = Client().get(reverse(name, args=["B" * 43]))
        assert mine.status_code == unknown.status_code == 404
        assert _page(mine) == _page(unknown)


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


LONG_ADDRESS = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".com"  # valid, 308 characters


@pytest.mark.parametrize("where", ["invite", "transfer"])
def test_an_address_longer_than_its_column_is_a_form_error(owner_client, patient, where):
    if where == "invite":
        url, data = reverse("patient_invite", args=[patient.pk]), {"role": VIEWER}
    else:
        url, data = reverse("patient_transfer", args=[patient.pk]), {"action": "invite"}
    response = owner_client.post(url, data | {"email": LONG_ADDRESS})
    assert response.status_code == 400
    assert "254" in response.content.decode()
    assert not Invitation.objects.exists()


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
            assert (real.status_code, _page(real)) == (none.status_code, _page(none)), (
                name,
                method,
            )
            assert real.status_code in (404, 405), (name, method)
    draw = patient.draws.get()
    for name in ("draw_edit", "draw_delete", "draw_leave_out"):
        for method in ("get", "post"):
            real = getattr(client, method)(reverse(name, args=[draw.pk]))
            none = getattr(client, method)(reverse(name, args=[missing]))
            assert (real.status_code, _page(real)) == (none.status_code, _page(none)), name


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
            assert (real.status_code, _page(real)) == (none.status_code, _page(none)), name
    assert Reminder.objects.get(pk=reminder.pk).status == reminder.status
    assert LabDraw.objects.filter(patient=patient).count() == 1


def test_a_transfer_of_a_deleted_person_is_accepted_by_nobody_and_twice_by_no_one(
    owner, patient, bob
):
    from rlsapp.tracking.services import people

    services.propose_transfer(patient, owner, Membership.objects.get(account=bob))
    url = reverse("patient_transfer", args=[patient.pk])
    people.delete_person(patient)
    assert client_for(bob).post(url, {"action": "accept"}).status_code == 404
    assert client_for(owner).post(url, {"action": "cancel"}).status_code == 404
    assert Patient.objects.get(pk=patient.pk).owner == owner
    people.undo_delete_person(Patient.objects.get(pk=patient.pk))
    assert client_for(bob).post(url, {"action": "accept"}).status_code == 302
    assert Patient.objects.get(pk=patient.pk).owner == bob
    # A second accept (a double click, another tab): nothing more changes.
    client_for(bob).post(url, {"action": "accept"})
    assert Membership.objects.get(person=patient, account=owner).role == EDITOR
    assert Membership.objects.get(person=patient, account=bob).role == OWNER


def test_the_worklist_drops_a_person_at_once_when_access_ends(owner, patient, bob, today):
    add_ferritin(patient, today, 40)
    bobs = client_for(bob)
    assert "Alice" in bobs.get(reverse("worklist")).content.decode()
    services.change_role(Membership.objects.get(account=bob), VIEWER)
    assert "Alice" in bobs.get(reverse("worklist")).content.decode()
    services.remove_member(Membership.objects.get(account=bob))
    assert "Alice" not in bobs.get(reverse("worklist")).content.decode()


@pytest.mark.parametrize("how", ["removed", "left"])
def test_a_transfer_offered_to_a_member_ends_with_their_membership(owner, patient, bob, how):
    """Alice offers Bob the person, then removes him (or he leaves) instead of cancelling;
    when he is invited back months later, the old offer must not make him the owner."""
    services.propose_transfer(patient, owner, Membership.objects.get(account=bob))
    membership = Membership.objects.get(account=bob)
    services.remove_member(membership) if how == "removed" else services.leave(membership)
    assert Transfer.objects.get().status == WITHDRAWN
    invitation, _ = services.invite(patient, owner, "bob@example.com", VIEWER)
    services.accept_invitation(invitation, bob, False)
    url = reverse("patient_transfer", args=[patient.pk])
    client_for(bob).post(url, {"action": "accept"})
    assert Patient.objects.get(pk=patient.pk).owner == owner
    assert Membership.objects.get(account=bob).role == VIEWER


def test_a_member_moved_to_viewer_loses_the_offer_of_ownership(owner, patient, bob):
    services.propose_transfer(patient, owner, Membership.objects.get(account=bob))
    services.change_role(Membership.objects.get(account=bob), VIEWER)
    client_for(bob).post(reverse("patient_transfer", args=[patient.pk]), {"action": "accept"})
    assert Patient.objects.get(pk=patient.pk).owner == owner
    assert Transfer.objects.get().status == WITHDRAWN


def test_a_deactivated_owners_invitations_open_nothing(owner, patient, make_user):
    """As their read-only links (tests/links): the operator deactivates an account, e.g.
    one taken over, and what it handed out stops."""
    kate = make_user("kate@example.com")
    invitation, token = services.invite(patient, owner, "kate@example.com", EDITOR)
    owner.is_active = False
    owner.save()
    url = reverse("invitation_accept", args=[token])
    assert client_for(kate).get(url).status_code == 410
    assert client_for(kate).post(url, {}).status_code == 410
    with pytest.raises(services.SharingRefused):
        services.accept_invitation(Invitation.objects.get(pk=invitation.pk), kate, False)
    assert not Membership.objects.filter(account=kate).exists()


def test_a_deactivated_owners_offer_of_ownership_cannot_be_accepted(owner, patient, bob):
    transfer = services.propose_transfer(patient, owner, Membership.objects.get(account=bob))
    owner.is_active = False
    owner.save()
    with pytest.raises(services.SharingRefused):
        services.accept_transfer(Transfer.objects.get(pk=transfer.pk), bob)
    assert Patient.objects.get(pk=patient.pk).owner == owner


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
