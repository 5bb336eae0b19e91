"""Memberships: the owner's is kept in step with Patient.owner; roles decide access."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from rlsapp.tracking.access import get_patient_for_user
from rlsapp.tracking.memberships import EDIT, EDITOR, OWN, OWNER, VIEWER, Membership
from rlsapp.tracking.models import Patient

pytestmark = pytest.mark.django_db


def request_by(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_a_new_person_gets_its_owner_membership_and_a_new_owner_replaces_it(make_user):
    alice, bob = make_user("alice@example.com"), make_user("bob@example.com")
    person = Patient.objects.create(owner=alice, name="Alex")
    assert list(person.memberships.values_list("account", "role")) == [(alice.pk, OWNER)]
    person.owner = bob
    person.save()
    assert list(person.memberships.values_list("account", "role")) == [(bob.pk, OWNER)]
    assert not Patient.objects.for_user(alice).exists()


@pytest.mark.parametrize(
    "role, need, allowed",
    [
        (OWNER, OWN, True),
        (EDITOR, EDIT, True),
        (EDITOR, OWN, False),
        (VIEWER, "view", True),
        (VIEWER, EDIT, False),
    ],
)
def test_a_member_gets_what_their_role_allows_and_a_403_beyond(make_user, role, need, allowed):
    owner, member = make_user("owner@example.com"), make_user("member@example.com")
    person = Patient.objects.create(owner=owner, name="Alex")
    if role != OWNER:
        Membership.objects.create(person=person, account=member, role=role)
    else:
        member = owner
    if allowed:
        assert get_patient_for_user(request_by(member), person.pk, need=need).role == role
        assert Patient.objects.for_user(member, need=need).get() == person
    else:
        with pytest.raises(PermissionDenied):
            get_patient_for_user(request_by(member), person.pk, need=need)
        assert not Patient.objects.for_user(member, need=need).exists()


def test_a_stranger_gets_the_404_of_a_missing_person(make_user):
    person = Patient.objects.create(owner=make_user("owner@example.com"), name="Alex")
    stranger = request_by(make_user("stranger@example.com"))
    for pk in (person.pk, person.pk + 1000):
        with pytest.raises(Http404):
            get_patient_for_user(stranger, pk)
