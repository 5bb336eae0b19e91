"""Transferring ownership (issue 15 item 4), confirmed by both sides: the owner proposes a
member (or invites an address to take over), the other accepts; either side can cancel
until then. The previous owner stays on with "Can edit"."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from rlsapp.sharing import services
from rlsapp.sharing.models import ACCEPTED, PENDING, WITHDRAWN, Invitation, Transfer
from rlsapp.tracking.memberships import EDITOR, OWNER, VIEWER, Membership
from rlsapp.tracking.models import Patient
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob(make_user, patient):
    bob = make_user("bob@example.com")
    Membership.objects.create(person=patient, account=bob, role=VIEWER, gets_reminders=False)
    return bob


def roles(patient):
    return dict(Membership.objects.filter(person=patient).values_list("account__email", "role"))


def propose(owner_client, patient, to):
    membership = Membership.objects.get(person=patient, account=to)
    return owner_client.post(
        reverse("patient_transfer", args=[patient.pk]),
        {"action": "propose", "member": membership.pk},
    )


def test_proposed_then_accepted_by_the_member(
    mail_on, owner_client, owner, patient, bob, django_capture_on_commit_callbacks
):
    page = owner_client.get(reverse("patient_transfer", args=[patient.pk])).content.decode()
    assert "bob@example.com" in page and "You stay on with “Can edit”" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert propose(owner_client, patient, bob).status_code == 302
    assert Patient.objects.get(pk=patient.pk).owner == owner, "nothing changes before accepting"
    assert mail.outbox[-1].to == ["bob@example.com"]
    assert "offers you ownership of Alice" in mail.outbox[-1].subject

    bob_client = client_for(bob)
    url = reverse("patient_transfer", args=[patient.pk])
    assert "Become the owner" in bob_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert bob_client.post(url, {"action": "accept"}).status_code == 302
    patient = Patient.objects.get(pk=patient.pk)
    assert patient.owner == bob
    assert roles(patient) == {"bob@example.com": OWNER, "alice@example.com": EDITOR}
    assert Transfer.objects.get().status == ACCEPTED
    assert mail.outbox[-1].to == ["alice@example.com"]
    assert "now the owner" in mail.outbox[-1].subject
    # Each has the pages of their new role.
    assert bob_client.get(reverse("patient_people", args=[patient.pk])).status_code == 200
    assert owner_client.get(reverse("patient_people", args=[patient.pk])).status_code == 403
    assert owner_client.get(reverse("patient_detail", args=[patient.pk])).status_code == 200


@pytest.mark.parametrize("who", ["owner", "member"])
def test_either_side_can_cancel_before_acceptance(owner_client, owner, patient, bob, who):
    propose(owner_client, patient, bob)
    client = owner_client if who == "owner" else client_for(bob)
    action = "cancel" if who == "owner" else "decline"
    client.post(reverse("patient_transfer", args=[patient.pk]), {"action": action})
    assert Transfer.objects.get().status == WITHDRAWN
    transfer = Transfer.objects.get()
    with pytest.raises(services.SharingRefused):
        services.accept_transfer(transfer, bob)
    assert Patient.objects.get(pk=patient.pk).owner == owner
    assert roles(patient) == {"alice@example.com": OWNER, "bob@example.com": VIEWER}


def test_only_the_member_offered_it_accepts(owner_client, patient, bob, make_user):
    carol = make_user("carol@example.com")
    Membership.objects.create(person=patient, account=carol, role=EDITOR)
    propose(owner_client, patient, bob)
    url = reverse("patient_transfer", args=[patient.pk])
    assert client_for(carol).post(url, {"action": "accept"}).status_code == 403
    assert client_for(make_user("eve@example.com")).get(url).status_code == 404
    with pytest.raises(services.SharingRefused):
        services.accept_transfer(Transfer.objects.get(), carol)
    assert Transfer.objects.get().status == PENDING


def test_a_member_removed_meanwhile_cannot_accept(owner_client, owner, patient, bob):
    propose(owner_client, patient, bob)
    transfer = Transfer.objects.get()
    Membership.objects.filter(account=bob).delete()
    with pytest.raises(services.SharingRefused):
        services.accept_transfer(transfer, bob)
    assert Patient.objects.get(pk=patient.pk).owner == owner


def test_one_transfer_at_a_time_and_never_to_the_owner(owner_client, owner, patient, bob):
    propose(owner_client, patient, bob)
    own = Membership.objects.get(person=patient, role=OWNER)
    with pytest.raises(services.SharingRefused):
        services.propose_transfer(patient, owner, Membership.objects.get(account=bob))
    with pytest.raises(services.SharingRefused):
        services.propose_transfer(patient, owner, own)
    response = owner_client.post(
        reverse("patient_transfer", args=[patient.pk]), {"action": "propose", "member": "x"}
    )
    assert response.status_code in (302, 400)
    assert Transfer.objects.count() == 1


def test_members_cannot_propose(patient, bob):
    Membership.objects.filter(account=bob).update(role=EDITOR)
    response = client_for(bob).post(
        reverse("patient_transfer", args=[patient.pk]), {"action": "propose", "member": 1}
    )
    assert response.status_code == 403
    assert not Transfer.objects.exists()


def test_transfer_by_invitation(mail_on, owner_client, owner, patient, make_user):
    response = owner_client.post(
        reverse("patient_transfer", args=[patient.pk]),
        {"action": "invite", "email": "Dora@example.com"},
    )
    assert response.status_code == 302
    token = re.search(r"/invite/([A-Za-z0-9_-]+)/", mail.outbox[-1].body).group(1)
    assert "take them over as their owner" in mail.outbox[-1].body
    assert Invitation.objects.get().role == OWNER
    dora = make_user("dora@example.com")
    url = reverse("invitation_accept", args=[token])
    page = client_for(dora).get(url).content.decode()
    assert "Become the owner of Alice" in page
    client_for(dora).post(url, {})
    patient = Patient.objects.get(pk=patient.pk)
    assert patient.owner == dora
    assert roles(patient) == {"dora@example.com": OWNER, "alice@example.com": EDITOR}


def test_the_member_offered_ownership_is_told_on_the_persons_page_without_mail(
    owner_client, owner, patient, bob
):
    page_url = reverse("patient_detail", args=[patient.pk])
    bob_client = client_for(bob)
    assert "Review the transfer" not in bob_client.get(page_url).content.decode()
    assert propose(owner_client, patient, bob).status_code == 302
    page = bob_client.get(page_url).content.decode()
    assert "alice@example.com offers to hand Alice’s records over to you" in page
    assert reverse("patient_transfer", args=[patient.pk]) in page
    # Nobody else is told: not the owner, not another member.
    carol = client_for(
        Membership.objects.create(
            person=patient,
            account=bob.__class__.objects.create_user("carol@example.com", "x" * 12),
            role=VIEWER,
        ).account
    )
    assert "Review the transfer" not in owner_client.get(page_url).content.decode()
    assert "Review the transfer" not in carol.get(page_url).content.decode()
