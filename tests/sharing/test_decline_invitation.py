"""The invitee declines an invitation: a button beside Accept, a POST only the invited
account can make (anyone else gets a 404), through sharing.services.decline_invitation.
The link stops working and the inviter's "People with access" page lists it as declined
until it would have expired; no email is sent."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rlsapp.sharing import services
from rlsapp.sharing.models import DECLINED, PENDING, WITHDRAWN, Invitation
from rlsapp.tracking.memberships import OWNER, VIEWER, Membership
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(owner, patient):
    """Alice invited bob@example.com to view her records: (invitation, token)."""
    return services.invite(patient, owner, "bob@example.com", VIEWER)


def urls(token):
    return reverse("invitation_accept", args=[token]), reverse("invitation_decline", args=[token])


def test_the_invitee_declines_and_the_inviter_sees_it_declined_without_an_email(
    mail_on, owner_client, patient, bob, invited, django_capture_on_commit_callbacks
):
    invitation, token = invited
    accept_url, decline_url = urls(token)
    bob_client = client_for(bob)
    page = bob_client.get(accept_url).content.decode()
    assert f'formaction="{decline_url}">Decline</button>' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = bob_client.post(decline_url)

    assert response.status_code == 200
    text = response.content.decode()
    assert "Invitation declined" in text and "alice@example.com sees it as declined" in text
    invitation.refresh_from_db()
    assert invitation.status == DECLINED and invitation.closed_at is not None
    assert not Membership.objects.filter(person=patient, account=bob).exists()
    assert mail.outbox == []
    # The link no longer works, for accepting either.
    again = bob_client.get(accept_url)
    assert again.status_code == 410 and "This invitation was declined" in again.content.decode()
    assert bob_client.post(accept_url).status_code == 410
    assert not Membership.objects.filter(person=patient, account=bob).exists()
    # Alice's page lists it as declined, with nothing to withdraw.
    people = owner_client.get(reverse("patient_people", args=[patient.pk])).content.decode()
    assert "bob@example.com" in people and "invitation-declined" in people
    assert "Withdraw" not in people


@pytest.mark.parametrize("who", ["stranger", "inviter", "anonymous"])
def test_anyone_but_the_invited_account_gets_a_404_and_changes_nothing(
    who, owner, outsider, invited
):
    invitation, token = invited
    client = {
        "stranger": client_for(outsider),
        "inviter": client_for(owner),
        "anonymous": Client(),
    }[who]

    response = client.post(urls(token)[1])

    assert response.status_code == 404
    assert "Alice" not in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == PENDING


def test_an_unknown_link_is_a_404_and_a_get_is_refused(bob, invited):
    bob_client = client_for(bob)
    assert bob_client.post(urls("x" * 43)[1]).status_code == 404
    assert bob_client.get(urls(invited[1])[1]).status_code == 405
    invited[0].refresh_from_db()
    assert invited[0].status == PENDING


def test_declining_needs_the_csrf_token(bob, invited):
    invitation, token = invited
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(bob)

    assert browser.post(urls(token)[1]).status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == PENDING


def test_a_withdrawn_or_expired_invitation_says_so_and_stays_as_it_was(bob, invited):
    invitation, token = invited
    bob_client = client_for(bob)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    expired = bob_client.post(urls(token)[1])
    assert expired.status_code == 410 and "expired" in expired.content.decode()

    services.withdraw_invitation(invitation)
    withdrawn = bob_client.post(urls(token)[1])
    assert withdrawn.status_code == 410 and "withdrawn" in withdrawn.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == WITHDRAWN


def test_the_service_declines_once_for_the_invited_address_only(outsider, bob, patient, invited):
    invitation, _token = invited
    with pytest.raises(services.SharingRefused):
        services.decline_invitation(invitation, outsider)

    assert services.decline_invitation(invitation, bob) is True
    assert services.decline_invitation(invitation, bob) is False
    # Declined, it can no longer be accepted (one of the two wins, whichever comes first).
    with pytest.raises(services.SharingRefused):
        services.accept_invitation(invitation, bob, gets_reminders=False)
    assert not Membership.objects.filter(person=patient, account=bob).exists()


def test_a_declined_transfer_by_invitation_leaves_the_owner_as_they_were(owner, patient, bob):
    invitation, token = services.invite(patient, owner, "bob@example.com", OWNER)

    assert client_for(bob).post(urls(token)[1]).status_code == 200
    patient.refresh_from_db()
    assert patient.owner == owner
    assert Membership.objects.get(person=patient, role=OWNER).account == owner


def test_a_declined_invitation_leaves_the_list_when_it_would_have_expired_and_can_be_sent_again(
    owner, owner_client, patient, bob, invited
):
    invitation, token = invited
    services.decline_invitation(invitation, bob)
    people = reverse("patient_people", args=[patient.pk])
    assert "invitation-declined" in owner_client.get(people).content.decode()

    past = timezone.now() - datetime.timedelta(seconds=1)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=past)
    page = owner_client.get(people).content.decode()
    assert "invitation-declined" not in page and "No invitation is waiting." in page

    again, _ = services.invite(patient, owner, "bob@example.com", VIEWER)
    assert again.status == PENDING
