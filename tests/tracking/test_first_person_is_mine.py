"""Adding the account's first person asks whether the records are the account's own."""

from django.urls import reverse

from rlsapp.tracking import services
from rlsapp.tracking.memberships import VIEWER, Membership
from rlsapp.tracking.models import Patient

from .helpers import patient_post


def _ask_shown(client):
    return "mine" in client.get(reverse("patient_create")).context["form"].fields


def test_the_first_person_ticked_as_mine_is_marked_and_home_opens_it(owner_client, owner):
    assert _ask_shown(owner_client)
    response = owner_client.post(reverse("patient_create"), patient_post("Alice", mine="on"))
    person = Patient.objects.get(owner=owner)
    assert response["Location"] == person.get_absolute_url()
    owner.refresh_from_db()
    assert owner.me_id == person.pk
    page = owner_client.get(response["Location"])
    assert "Added Alice, marked as you." in page.content.decode()
    assert owner_client.get(reverse("home"))["Location"] == person.get_absolute_url()


def test_the_first_person_left_unticked_is_not_marked(owner_client, owner):
    owner_client.post(reverse("patient_create"), patient_post("Bea"))
    owner.refresh_from_db()
    assert owner.me_id is None
    assert Patient.objects.filter(owner=owner, name="Bea").exists()


def test_an_account_that_tracks_someone_already_is_not_asked(owner_client, owner):
    services.save_person(Patient(owner=owner, name="Bea"))
    assert not _ask_shown(owner_client)
    # A tick sent anyway (an old form, a forged post) marks nothing.
    owner_client.post(reverse("patient_create"), patient_post("Cleo", mine="on"))
    owner.refresh_from_db()
    assert owner.me_id is None


def test_an_account_that_sees_a_shared_person_is_not_asked(owner_client, owner, make_user):
    other = make_user("bob@example.com")
    someone = services.save_person(Patient(owner=other, name="Bob"))
    Membership.objects.create(person=someone, account=owner, role=VIEWER)
    assert not _ask_shown(owner_client)
