"""Invitations (issue 15 item 1): the owner invites an address with a role; only a signed-in
account with that confirmed address accepts, once, before it expires; a wrong account, an
expired, used or withdrawn link each get a clear page that shows nothing of the person."""

import datetime
import logging
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rlsapp import tokens
from rlsapp.sharing import services
from rlsapp.sharing.models import ACCEPTED, PENDING, WITHDRAWN, Invitation
from rlsapp.tracking.memberships import EDITOR, OWNER, VIEWER, Membership
from rlsapp.tracking.services import people
from tests.conftest import client_for
from tests.reminders.helpers import add_ferritin

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/invite/([A-Za-z0-9_-]+)/")


@pytest.fixture
def mail_off(settings):
    settings.MAIL_CONFIGURED = False


def invite(owner_client, patient, email="Bob@Example.com", role=EDITOR):
    return owner_client.post(
        reverse("patient_invite", args=[patient.pk]), {"email": email, "role": role}
    )


def emailed_token():
    return LINK.search(mail.outbox[-1].body).group(1)


def test_the_owner_invites_by_email_and_the_invitee_accepts(
    mail_on, owner_client, patient, bob, django_capture_on_commit_callbacks
):
    response = invite(owner_client, patient)
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["bob@example.com"]
    body = mail.outbox[-1].body
    assert "Alice" in body and "alice@example.com" in body
    token = emailed_token()
    invitation = Invitation.objects.get()
    assert invitation.token_hash == tokens.digest(token) and token not in invitation.token_hash
    assert len(token) >= 43  # 256 bits, URL-safe
    # Pending on the owner's "People with access" page, with a way to withdraw it.
    page = owner_client.get(reverse("patient_people", args=[patient.pk])).content.decode()
    assert "bob@example.com" in page and "Withdraw" in page

    bob_client = client_for(bob)
    url = reverse("invitation_accept", args=[token])
    page = bob_client.get(url)
    assert page.status_code == 200 and "Alice" in page.content.decode()
    assert not Membership.objects.filter(account=bob).exists(), "a GET accepts nothing"
    with django_capture_on_commit_callbacks(execute=True):
        response = bob_client.post(url, {"gets_reminders": "on"})
    assert response.status_code == 302
    membership = Membership.objects.get(account=bob, person=patient)
    assert membership.role == EDITOR and membership.gets_reminders
    worklist = bob_client.get(reverse("worklist")).content.decode()
    assert "Alice" in worklist
    assert bob_client.get(reverse("patient_detail", args=[patient.pk])).status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == ACCEPTED and invitation.accepted_by == bob
    assert "bob@example.com accepted" in mail.outbox[-1].subject
    assert mail.outbox[-1].to == ["alice@example.com"]


def test_a_viewer_starts_without_reminders_unless_they_ask(mail_on, owner_client, patient, bob):
    invite(owner_client, patient, role=VIEWER)
    page = client_for(bob).get(reverse("invitation_accept", args=[emailed_token()]))
    assert 'name="gets_reminders"' in page.content.decode()
    assert "checked" not in re.search(r"<input[^>]*gets_reminders[^>]*>", page.content.decode())[0]
    client_for(bob).post(reverse("invitation_accept", args=[emailed_token()]), {})
    membership = Membership.objects.get(account=bob)
    assert membership.role == VIEWER and not membership.gets_reminders


def test_without_mail_the_link_is_shown_once(mail_off, owner_client, patient, bob):
    response = invite(owner_client, patient)
    assert response.status_code == 200
    assert not mail.outbox
    token = LINK.search(response.content.decode()).group(1)
    assert tokens.digest(token) == Invitation.objects.get().token_hash
    later = owner_client.get(reverse("patient_people", args=[patient.pk])).content.decode()
    assert token not in later and "bob@example.com" in later
    client_for(bob).post(reverse("invitation_accept", args=[token]), {})
    assert Membership.objects.filter(account=bob, role=EDITOR).exists()


def test_the_link_survives_sign_in(mail_on, owner_client, patient, bob):
    invite(owner_client, patient)
    url = reverse("invitation_accept", args=[emailed_token()])
    client = Client()
    page = client.get(url).content.decode()
    assert "Alice" not in page, "nothing of the person before signing in"
    login = re.search(r'href="(/accounts/login/\?next=[^"]+)"', page).group(1)
    response = client.post(
        login.replace("&amp;", "&"),
        {"username": "bob@example.com", "password": "correct-horse-battery-staple"},
    )
    assert response.status_code == 302 and response.url == url
    assert "Alice" in client.get(url).content.decode()


def test_a_wrong_account_gets_a_clear_page_without_the_persons_data(
    mail_on, owner_client, patient, bob, outsider
):
    invite(owner_client, patient)
    url = reverse("invitation_accept", args=[emailed_token()])
    charlie = client_for(outsider)
    for response in (charlie.get(url), charlie.post(url, {"gets_reminders": "on"})):
        assert response.status_code == 403
        page = response.content.decode()
        assert "for another address" in page and "Alice" not in page
    assert not Membership.objects.filter(account=outsider).exists()
    assert Invitation.objects.get().status == PENDING, "still there for Bob"


def test_an_unconfirmed_account_with_the_address_cannot_accept(mail_on, owner_client, patient, bob):
    invite(owner_client, patient)
    token = emailed_token()
    bob.email_confirmed = False
    bob.save()
    # Such an account cannot sign in at all; the service refuses it whatever the caller.
    response = client_for(bob).post(reverse("invitation_accept", args=[token]), {})
    assert "Alice" not in response.content.decode()
    with pytest.raises(services.SharingRefused):
        services.accept_invitation(services.find_invitation(token), bob, False)
    assert not Membership.objects.filter(account=bob).exists()


def test_an_expired_invitation(mail_on, owner_client, patient, bob, settings):
    invite(owner_client, patient)
    token = emailed_token()
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client_for(bob).post(reverse("invitation_accept", args=[token]), {})
    assert response.status_code == 410
    assert "expired" in response.content.decode() and "Alice" not in response.content.decode()
    assert not Membership.objects.filter(account=bob).exists()


def test_the_invitation_lasts_the_configured_days(mail_on, owner_client, patient, settings):
    settings.SHARING_INVITATION_DAYS = 3
    invite(owner_client, patient)
    left = Invitation.objects.get().expires_at - timezone.now()
    assert datetime.timedelta(days=2, hours=23) < left <= datetime.timedelta(days=3)


def test_a_used_invitation_works_once(mail_on, owner_client, patient, bob, make_user):
    invite(owner_client, patient)
    token = emailed_token()
    url = reverse("invitation_accept", args=[token])
    client_for(bob).post(url, {})
    # Bob's second try lands on the person; anyone else learns only that it was used.
    assert client_for(bob).get(url).status_code == 302
    Membership.objects.filter(account=bob).delete()  # removed since: the link stays spent
    response = client_for(bob).post(url, {})
    assert response.status_code == 410 and "used already" in response.content.decode()
    assert not Membership.objects.filter(account=bob).exists()


def test_a_withdrawn_invitation(mail_on, owner_client, patient, bob):
    invite(owner_client, patient)
    token = emailed_token()
    invitation = Invitation.objects.get()
    response = owner_client.post(
        reverse("patient_invite_withdraw", args=[patient.pk]), {"invitation": invitation.pk}
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == WITHDRAWN
    response = client_for(bob).post(reverse("invitation_accept", args=[token]), {})
    assert response.status_code == 410 and "withdrawn" in response.content.decode()
    assert not Membership.objects.filter(account=bob).exists()


def test_inviting_again_replaces_the_earlier_link(mail_on, owner_client, patient, bob):
    invite(owner_client, patient)
    first = emailed_token()
    invite(owner_client, patient, role=VIEWER)
    second = emailed_token()
    assert client_for(bob).get(reverse("invitation_accept", args=[first])).status_code == 410
    client_for(bob).post(reverse("invitation_accept", args=[second]), {})
    assert Membership.objects.get(account=bob).role == VIEWER


@pytest.mark.parametrize("token", ["x" * 43, "not a token", "a" * 200])
def test_an_unknown_link_is_a_clear_404(client, token):
    response = client.get(reverse("invitation_accept", args=[token]))
    assert response.status_code == 404 and "not valid" in response.content.decode()


def test_only_the_owner_invites_or_withdraws(mail_on, owner_client, patient, bob, outsider):
    Membership.objects.create(person=patient, account=bob, role=EDITOR)
    invite(owner_client, patient, email="dora@example.com")
    invitation = Invitation.objects.get()
    for account, status in ((bob, 403), (outsider, 404)):
        client = client_for(account)
        assert invite(client, patient, email="eve@example.com").status_code == status
        withdraw = reverse("patient_invite_withdraw", args=[patient.pk])
        assert client.post(withdraw, {"invitation": invitation.pk}).status_code == status
    assert Invitation.objects.get().status == PENDING


def test_bad_input_is_named(mail_on, owner_client, patient, bob):
    Membership.objects.create(person=patient, account=bob, role=VIEWER)
    for data, words in [
        ({"email": "not-an-address", "role": EDITOR}, "Email address: enter an address"),
        ({"email": "dora@example.com", "role": OWNER}, "Select a valid choice"),
        ({"email": "BOB@example.com", "role": EDITOR}, "already has access"),
    ]:
        response = owner_client.post(reverse("patient_invite", args=[patient.pk]), data)
        assert response.status_code == 400 and words in response.content.decode()
    assert not Invitation.objects.exists()
    response = owner_client.post(
        reverse("patient_invite_withdraw", args=[patient.pk]), {"invitation": "１"}
    )
    assert response.status_code == 404


def test_two_accepts_at_once_make_one_membership(mail_on, owner_client, patient, bob):
    invite(owner_client, patient)
    invitation = services.find_invitation(emailed_token())
    services.accept_invitation(invitation, bob, False)
    with pytest.raises(services.SharingRefused):
        services.accept_invitation(invitation, bob, False)
    assert Membership.objects.filter(account=bob).count() == 1


def test_the_token_never_reaches_the_log(mail_on, owner_client, patient, bob, caplog):
    caplog.set_level(logging.DEBUG)
    invite(owner_client, patient)
    token = emailed_token()
    client_for(bob).get(reverse("invitation_accept", args=[token]) + "x")
    Client().get(reverse("invitation_accept", args=[token]))
    client_for(bob).post(reverse("invitation_accept", args=[token]), {})
    assert token not in caplog.text


def test_the_link_survives_sign_up(mail_on, owner_client, patient, settings):
    settings.SIGNUP_OPEN = True
    client = Client()
    invite(owner_client, patient, email="dora@example.com", role=VIEWER)
    url = reverse("invitation_accept", args=[emailed_token()])
    page = client.get(url).content.decode()
    signup = re.search(r'href="(/accounts/signup/\?next=[^"]+)"', page).group(1)
    next_url = signup.split("next=", 1)[1]
    password = "a-long-new-passphrase-9"
    client.post(
        reverse("signup"),
        {
            "email": "dora@example.com",
            "password1": password,
            "password2": password,
            "next": next_url.replace("%2F", "/"),
        },
    )
    confirm = re.search(r"https?://[^/\s]+(/accounts/signup/confirm/\S+)", mail.outbox[-1].body)
    opened = client.get(confirm.group(1))
    response = client.post(opened.url)
    assert response.status_code == 302 and response.url == url
    client.post(url, {})
    assert Membership.objects.get(account__email="dora@example.com").role == VIEWER


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server away")


def test_a_mail_failure_shows_the_link_instead_and_logs_no_token(
    mail_on, owner_client, patient, settings, caplog
):
    settings.EMAIL_BACKEND = "tests.sharing.test_invitations.RefusingBackend"
    caplog.set_level(logging.DEBUG)
    response = invite(owner_client, patient)
    assert response.status_code == 200
    token = LINK.search(response.content.decode()).group(1)
    assert tokens.digest(token) == Invitation.objects.get().token_hash
    assert "ConnectionRefusedError" in caplog.text and token not in caplog.text


def test_the_invitation_email_holds_no_health_data(mail_on, owner_client, patient):
    add_ferritin(patient, datetime.date(2025, 3, 3), 37)
    invite(owner_client, patient)
    message = mail.outbox[-1]
    body = LINK.sub("", message.body)  # the link's random token may hold "37" by chance
    assert "37" not in body and "ferritin" not in body.lower()
    assert "Alice" in body


def test_an_account_sends_a_bounded_number_of_invitations_a_day(
    mail_on, owner_client, owner, patient, monkeypatch
):
    monkeypatch.setattr(services, "INVITATIONS_PER_DAY", 2)
    for n in range(2):
        assert invite(owner_client, patient, email=f"p{n}@example.com").status_code == 302
    response = invite(owner_client, patient, email="p2@example.com")
    assert response.status_code == 400 and "in the last 24 hours" in response.content.decode()
    assert len(mail.outbox) == 2


def test_an_invitation_to_a_deleted_person_is_a_withdrawn_one(mail_on, owner_client, patient, bob):
    invite(owner_client, patient)
    token = emailed_token()
    people.delete_person(patient)
    response = client_for(bob).post(reverse("invitation_accept", args=[token]), {})
    assert response.status_code == 410 and "Alice" not in response.content.decode()
    assert not Membership.objects.filter(account=bob).exists()
    with pytest.raises(services.SharingRefused):
        services.accept_invitation(services.find_invitation(token), bob, False)
