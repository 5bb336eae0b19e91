"""Attacks on shared records (issue 15, Security), part one: invitations and offers of
ownership that outlived the ownership or membership that made them, read-only links after
a transfer, lookalike addresses, ?next=, races between accepts, transfers and removals.
Part two (ids of others' objects, escalation, odd input, the cache, the access log) is
test_security_probe_access.py. Each test failed before its fix or pins a defence the
review relied on."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rlsapp.sharing import services
from rlsapp.sharing.models import PENDING, WITHDRAWN, Invitation, Transfer
from rlsapp.tracking.memberships import EDITOR, OWNER, VIEWER, Membership
from rlsapp.tracking.models import Patient
from tests.conftest import client_for
from tests.reminders.helpers import add_ferritin
from tests.sharing import probe_helpers
from tests.sharing.probe_helpers import hand_over, page_text

pytestmark = pytest.mark.django_db

# The probe's accounts (probe_helpers): Bob edits Alice's person, Vera views it.
bob, vera = probe_helpers.bob, probe_helpers.vera


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


def test_a_transfer_offered_to_bob_is_accepted_by_nobody_else(owner, patient, bob, vera):
    services.propose_transfer(patient, owner, Membership.objects.get(account=bob))
    url = reverse("patient_transfer", args=[patient.pk])
    assert client_for(vera).post(url, {"action": "accept"}).status_code == 403
    assert Patient.objects.get(pk=patient.pk).owner == owner
    assert Transfer.objects.get().status == PENDING


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
                bodies = {page_text(a).replace("kate@example.com", "") for a in answers}
                assert len({b.split("<main")[-1] for b in bodies}) == 1
                assert "Alice" not in answers[0].content.decode()
    assert not Membership.objects.filter(account=kate).exists()


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


def test_the_worklist_drops_a_person_at_once_when_access_ends(owner, patient, bob, today):
    add_ferritin(patient, today, 40)
    bobs = client_for(bob)
    assert "Alice" in bobs.get(reverse("worklist")).content.decode()
    services.change_role(Membership.objects.get(account=bob), VIEWER)
    assert "Alice" in bobs.get(reverse("worklist")).content.decode()
    services.remove_member(Membership.objects.get(account=bob))
    assert "Alice" not in bobs.get(reverse("worklist")).content.decode()
