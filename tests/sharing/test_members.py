"""The owner's "People with access" page, role changes, removal and leaving (issue 15
items 1 and 3): each takes effect on the member's next request."""

import pytest
from django.core import mail
from django.urls import reverse

from rlsapp.interop.models import PendingImport
from rlsapp.sharing import services
from rlsapp.tracking.memberships import EDITOR, OWNER, VIEWER, Membership
from rlsapp.tracking.models import LabDraw, Patient
from tests.reminders.helpers import add_ferritin
from tests.tracking.helpers import draw_post

pytestmark = pytest.mark.django_db


def share(patient, account, role):
    return Membership.objects.create(person=patient, account=account, role=role)


def test_the_owner_sees_everyone_with_their_role(owner_client, patient, bob, make_user):
    share(patient, bob, EDITOR)
    share(patient, make_user("carol@example.com"), VIEWER)
    page = owner_client.get(reverse("patient_people", args=[patient.pk])).content.decode()
    alice, bob_at, carol = (page.index(e) for e in ("alice@", "bob@", "carol@"))
    assert alice < bob_at < carol, "the owner first, then by address"
    assert "Can edit" in page and "Can view" in page and "Owner" in page


@pytest.mark.parametrize("role", [EDITOR, VIEWER])
def test_only_the_owner_opens_the_page(patient, bob, bob_client, role):
    share(patient, bob, role)
    assert bob_client.get(reverse("patient_people", args=[patient.pk])).status_code == 403


def test_an_editor_moved_to_viewer_can_no_longer_edit(
    owner_client, patient, bob, bob_client, today
):
    membership = share(patient, bob, EDITOR)
    add_url = reverse("draw_create", args=[patient.pk])
    assert bob_client.get(add_url).status_code == 200
    response = owner_client.post(
        reverse("patient_people_role", args=[patient.pk, membership.pk]), {"role": VIEWER}
    )
    assert response.status_code == 302
    assert Membership.objects.get(pk=membership.pk).role == VIEWER
    assert bob_client.get(add_url).status_code == 403
    assert bob_client.post(add_url, draw_post(today, ferritin="40")).status_code == 403
    assert not LabDraw.objects.filter(patient=patient).exists()
    assert bob_client.get(patient.get_absolute_url()).status_code == 200


def test_the_page_a_member_saw_is_not_served_after_a_role_change(
    owner_client, patient, bob, bob_client
):
    membership = share(patient, bob, EDITOR)
    add_link = reverse("draw_create", args=[patient.pk])
    assert add_link in bob_client.get(patient.get_absolute_url()).content.decode()
    services.change_role(membership, VIEWER)
    assert add_link not in bob_client.get(patient.get_absolute_url()).content.decode()


def test_the_owners_role_cannot_be_changed_nor_a_member_made_owner(owner_client, patient, bob):
    membership = share(patient, bob, VIEWER)
    owners = Membership.objects.get(person=patient, role=OWNER)
    owner_client.post(
        reverse("patient_people_role", args=[patient.pk, owners.pk]), {"role": VIEWER}
    )
    owner_client.post(
        reverse("patient_people_role", args=[patient.pk, membership.pk]), {"role": OWNER}
    )
    assert Membership.objects.get(pk=owners.pk).role == OWNER
    assert Membership.objects.get(pk=membership.pk).role == VIEWER
    with pytest.raises(services.SharingRefused):
        services.change_role(owners, EDITOR)


def test_a_removed_member_gets_the_strangers_404_and_an_email(
    owner_client, patient, bob, bob_client, today, settings
):
    settings.MAIL_CONFIGURED = True
    draw = add_ferritin(patient, today, 40)
    membership = share(patient, bob, EDITOR)
    urls = [patient.get_absolute_url(), reverse("draw_edit", args=[draw.pk])]
    assert [bob_client.get(u).status_code for u in urls] == [200, 200]
    remove_url = reverse("patient_people_remove", args=[patient.pk, membership.pk])
    assert "bob@example.com" in owner_client.get(remove_url).content.decode()
    with django_capture_on_commit():
        assert owner_client.post(remove_url).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert [bob_client.get(u).status_code for u in urls] == [404, 404]
    assert patient.name not in bob_client.get(reverse("worklist")).content.decode()
    (email,) = mail.outbox
    assert email.to == ["bob@example.com"] and "Alice" in email.subject
    assert "40" not in email.body, "no health data in the email"


def django_capture_on_commit():
    """on_commit callbacks run at once: the tests run inside a transaction."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def test_the_owner_cannot_be_removed(owner_client, patient):
    owners = Membership.objects.get(person=patient, role=OWNER)
    url = reverse("patient_people_remove", args=[patient.pk, owners.pk])
    assert owner_client.post(url).status_code == 403
    assert Membership.objects.filter(pk=owners.pk).exists()


def test_a_membership_of_another_person_is_a_404(owner_client, owner, patient, bob):
    other = Patient.objects.create(owner=bob, name="Dan")
    theirs = share(other, owner, VIEWER)
    bobs = Membership.objects.get(person=other, role=OWNER)
    for member in (theirs, bobs):
        url = reverse("patient_people_remove", args=[patient.pk, member.pk])
        assert owner_client.post(url).status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize("role", [EDITOR, VIEWER])
def test_a_member_can_leave(patient, bob, bob_client, role):
    share(patient, bob, role)
    url = reverse("patient_leave", args=[patient.pk])
    assert "Leave" in bob_client.get(url).content.decode()
    assert bob_client.post(url)["Location"] == reverse("worklist")
    assert not Membership.objects.filter(person=patient, account=bob).exists()
    assert bob_client.get(patient.get_absolute_url()).status_code == 404


def test_the_owner_cannot_leave(owner_client, patient):
    assert owner_client.post(reverse("patient_leave", args=[patient.pk])).status_code == 403
    assert Membership.objects.filter(person=patient, role=OWNER).exists()


def test_leaving_drops_the_members_waiting_upload_and_this_is_me(patient, bob, bob_client):
    membership = share(patient, bob, EDITOR)
    PendingImport.objects.create(
        owner=bob, patient=patient, source="csv", filename="a.csv", raw="", payload={}
    )
    bob.me = patient
    bob.save()
    services.leave(membership)
    bob.refresh_from_db()
    assert bob.me is None
    assert not PendingImport.objects.filter(patient=patient).exists()


def test_removing_moves_the_persons_data_version_on(patient, bob):
    membership = share(patient, bob, VIEWER)
    before = Patient.objects.get(pk=patient.pk).data_version
    services.remove_member(membership)
    assert Patient.objects.get(pk=patient.pk).data_version > before
