"""Deleting an account with sharing (issue 15 item 8): the people it owns are deleted for
everyone (after the page offers to transfer each shared one), its memberships of others'
people are removed; the account export holds the people it owns and, in their own folder,
those shared with it."""

import datetime
import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from rlsapp.sharing import services
from rlsapp.sharing.models import Invitation
from rlsapp.tracking.memberships import EDITOR, VIEWER, Membership
from rlsapp.tracking.models import Patient
from rlsapp.tracking.services.people import erase_deleted_people
from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def test_the_delete_page_offers_a_transfer_for_each_shared_owned_person(
    owner_client, owner, patient, bob
):
    Membership.objects.create(person=patient, account=bob, role=EDITOR)
    alone = Patient.objects.create(owner=owner, name="Unshared Uma")
    page = owner_client.get(reverse("account_delete")).content.decode()
    assert "You own people whom others share" in page
    assert reverse("patient_transfer", args=[patient.pk]) in page
    assert "bob@example.com" in page
    assert reverse("patient_transfer", args=[alone.pk]) not in page


def test_no_offer_when_nothing_owned_is_shared(owner_client, patient):
    page = owner_client.get(reverse("account_delete")).content.decode()
    assert "You own people whom others share" not in page


def test_deleting_an_account_deletes_its_shared_owned_people_and_leaves_others(
    owner_client, owner, patient, bob
):
    Membership.objects.create(person=patient, account=bob, role=EDITOR)
    bobs = Patient.objects.create(owner=bob, name="Bob's patient")
    Membership.objects.create(person=bobs, account=owner, role=VIEWER)
    before = Patient.objects.get(pk=bobs.pk).data_version
    response = owner_client.post(reverse("account_delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(email="alice@example.com").exists()
    assert not Patient.objects.filter(pk=patient.pk).exists(), "owned: gone for Bob too"
    bob_client = client_for(bob)
    assert bob_client.get(reverse("patient_detail", args=[patient.pk])).status_code == 404
    # Bob's own person stays, without Alice's membership; its pages are redrawn.
    assert list(Membership.objects.filter(person=bobs).values_list("account", flat=True)) == [
        bob.pk
    ]
    assert Patient.objects.get(pk=bobs.pk).data_version > before
    assert bob_client.get(reverse("patient_detail", args=[bobs.pk])).status_code == 200


def test_a_transfer_before_deleting_keeps_the_person(owner_client, owner, patient, bob):
    membership = Membership.objects.create(person=patient, account=bob, role=EDITOR)
    transfer = services.propose_transfer(patient, owner, membership)
    services.accept_transfer(transfer, bob)
    owner_client.post(reverse("account_delete"), {"password": PASSWORD, "confirm": "on"})
    patient = Patient.objects.get(pk=patient.pk)
    assert patient.owner == bob
    assert list(Membership.objects.filter(person=patient).values_list("role", flat=True)) == [
        "owner"
    ]


def names_in(response):
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return archive, archive.namelist()


def test_the_export_marks_the_people_shared_with_the_account(owner_client, owner, patient, bob):
    bobs = Patient.objects.create(owner=bob, name="Bob Patient")
    Membership.objects.create(person=bobs, account=owner, role=VIEWER)
    archive, names = names_in(owner_client.get(reverse("account_export")))
    assert f"alice-{patient.pk}/records.csv" in names
    assert f"alice-{patient.pk}/fhir-bundle.json" in names
    assert f"shared-with-me/bob-patient-{bobs.pk}/records.csv" in names
    assert f"bob-patient-{bobs.pk}/records.csv" not in names
    assert "shared-with-me/" in archive.read("README.txt").decode()
    # Bob's export has his person at the top and nothing of Alice's.
    _, names = names_in(client_for(bob).get(reverse("account_export")))
    assert f"bob-patient-{bobs.pk}/records.csv" in names
    assert not any("alice" in n for n in names)


def test_deleting_an_account_takes_the_invitations_it_answered(owner_client, owner, bob):
    """An accepted invitation kept the deleted account's address beside Bob's person for
    good (accepted_by was only set to null); a declined or expired one to it the same."""
    bobs = Patient.objects.create(owner=bob, name="Bob's patient")
    accepted, _ = services.invite(bobs, bob, "Alice@Example.com", VIEWER)
    services.accept_invitation(accepted, owner, gets_reminders=False)
    other = Patient.objects.create(owner=bob, name="Another")
    declined, _ = services.invite(other, bob, "alice@example.com", EDITOR)
    services.decline_invitation(declined, owner)
    still_open, _ = services.invite(
        Patient.objects.create(owner=bob, name="Third"), bob, "alice@example.com", VIEWER
    )
    someone_else, _ = services.invite(bobs, bob, "dora@example.com", VIEWER)
    owner_client.post(reverse("account_delete"), {"password": PASSWORD, "confirm": "on"})
    left = set(Invitation.objects.values_list("pk", flat=True))
    # The open one is Bob's to withdraw and ends when it expires; Dora's is not Alice's.
    assert left == {still_open.pk, someone_else.pk}
    assert list(Membership.objects.filter(person=bobs).values_list("account", flat=True)) == [
        bob.pk
    ]


def test_members_are_told_when_the_owners_account_deletion_erases_a_shared_person(
    owner_client, owner, patient, bob, settings, django_capture_on_commit_callbacks
):
    """Bob could edit Alice's person; her account's deletion erased it, and he learned it
    only from a worklist without them."""
    settings.MAIL_CONFIGURED = True
    Membership.objects.create(person=patient, account=bob, role=EDITOR)
    alone = Patient.objects.create(owner=owner, name="Unshared Uma")
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("account_delete"), {"password": PASSWORD, "confirm": "on"})
    assert not Patient.objects.filter(pk__in=[patient.pk, alone.pk]).exists()
    (email,) = mail.outbox
    assert email.to == ["bob@example.com"]
    assert "Alice" in email.subject and "alice@example.com" in email.body
    assert "gone for good" in email.body


def test_members_are_told_when_a_deleted_person_is_erased(
    owner_client, patient, bob, settings, django_capture_on_commit_callbacks
):
    settings.MAIL_CONFIGURED = True
    Membership.objects.create(person=patient, account=bob, role=VIEWER)
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("patient_delete", args=[patient.pk]), {"confirm": "on"})
    assert mail.outbox == [], "not while the owner can still undo it"
    later = timezone.now() + datetime.timedelta(minutes=settings.PERSON_UNDO_MINUTES + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert erase_deleted_people(later) == 1
    (email,) = mail.outbox
    assert email.to == ["bob@example.com"] and "Alice" in email.subject


def test_the_export_holds_each_persons_settings_and_the_accounts_own(
    owner_client, owner, patient, bob
):
    """The export held the records only: a person's threshold and re-check settings, and
    the account's region and reminder choices, were nowhere in it."""
    import json

    patient.ferritin_threshold = 75
    patient.save()
    Membership.objects.create(person=patient, account=bob, role=EDITOR)
    bobs = Patient.objects.create(owner=bob, name="Bob Patient")
    Membership.objects.create(person=bobs, account=owner, role=VIEWER, gets_reminders=False)
    owner.region = "de"
    owner.me = patient
    owner.save()
    archive, names = names_in(owner_client.get(reverse("account_export")))
    mine = json.loads(archive.read(f"alice-{patient.pk}/settings.json"))
    assert mine["name"] == "Alice" and mine["ferritin_threshold"] == 75
    assert mine["your_role"] == "owner" and mine["you_get_reminders"] is True
    shared = json.loads(archive.read(f"shared-with-me/bob-patient-{bobs.pk}/settings.json"))
    assert shared["your_role"] == "viewer" and shared["you_get_reminders"] is False
    account = json.loads(archive.read("account.json"))
    assert account["email"] == "alice@example.com" and account["region"] == "de"
    assert account["this_is_me"] == f"alice-{patient.pk}"
    everything = b"".join(archive.read(name) for name in names)
    # Nothing of Bob's account, nor the password hash.
    assert b"bob@example.com" not in everything
    assert owner.password.encode() not in everything
