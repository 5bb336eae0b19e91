"""This is me (issue 15 item 2): an account marks one person as its own record; home
opens that page, the worklist stays at its address, the page says so."""

import pytest
from django.test import Client
from django.urls import reverse

from rlsapp.tracking.memberships import VIEWER, Membership
from rlsapp.tracking.models import Patient

pytestmark = pytest.mark.django_db


def mark(client, person, on=True):
    return client.post(reverse("patient_this_is_me", args=[person.pk]), {"me": "1" if on else "0"})


def test_home_opens_the_marked_person_among_several(owner_client, owner, patient):
    Patient.objects.create(owner=owner, name="Bea")
    assert owner_client.get(reverse("home")).status_code == 200  # the worklist
    assert mark(owner_client, patient).status_code == 302
    owner.refresh_from_db()
    assert owner.me == patient
    assert owner_client.get(reverse("home")).url == patient.get_absolute_url()
    assert owner_client.get(reverse("worklist")).status_code == 200


def test_the_page_says_this_is_you_and_offers_to_take_it_back(owner_client, owner, patient):
    page = owner_client.get(patient.get_absolute_url()).content.decode()
    assert "This is you" not in page and "This is me</button>" in page
    mark(owner_client, patient)
    page = owner_client.get(patient.get_absolute_url()).content.decode()
    assert "This is you" in page and "This is not me</button>" in page
    mark(owner_client, patient, on=False)
    owner.refresh_from_db()
    assert owner.me is None
    assert "This is you" not in owner_client.get(patient.get_absolute_url()).content.decode()


def test_a_viewer_may_mark_a_shared_person_as_themself(patient, make_user):
    """A patient whose clinic owns her record and shares it with her."""
    her = make_user("her@example.com")
    Membership.objects.create(person=patient, account=her, role=VIEWER)
    client = Client()
    client.force_login(her)
    assert mark(client, patient).status_code == 302
    her.refresh_from_db()
    assert her.me == patient
    # Only her own view says so: the owner's page of the same person does not.
    owner = Client()
    owner.force_login(patient.owner)
    assert "This is you" not in owner.get(patient.get_absolute_url()).content.decode()


def test_nobody_can_mark_a_person_they_cannot_see(outsider_client, outsider, patient):
    assert mark(outsider_client, patient).status_code == 404
    outsider.refresh_from_db()
    assert outsider.me is None


def test_account_settings_show_the_mark_and_take_it_off(owner_client, owner, patient):
    url = reverse("account_settings")
    assert "More… → This is me" in owner_client.get(url).content.decode()
    mark(owner_client, patient)
    page = owner_client.get(url).content.decode()
    assert "Alice is marked as you" in page
    response = owner_client.post(
        reverse("patient_this_is_me", args=[patient.pk]), {"me": "0", "next": url}
    )
    assert response.url == url
    owner.refresh_from_db()
    assert owner.me is None


def test_a_foreign_next_address_is_not_followed(owner_client, patient):
    response = owner_client.post(
        reverse("patient_this_is_me", args=[patient.pk]),
        {"me": "1", "next": "https://evil.example/"},
    )
    assert response.url == patient.get_absolute_url()


def test_a_deleted_me_falls_back_to_the_usual_home(owner_client, owner, patient):
    bea = Patient.objects.create(owner=owner, name="Bea")
    owner.me = bea
    owner.save()
    bea.delete()  # the account's mark goes with the person (SET_NULL)
    owner.refresh_from_db()
    assert owner.me is None
    assert owner_client.get(reverse("home")).url == patient.get_absolute_url()  # one left
