"""What a page offers by role is asked of the one rule (memberships.role_allows, the
`can` filter), never spelled out again in a template: the owner-only links follow it."""

import pytest
from django.test import Client
from django.urls import reverse

from rlsapp.tracking import memberships
from rlsapp.tracking.memberships import EDITOR, Membership

pytestmark = pytest.mark.django_db

OWNER_ONLY = {
    "patient_detail": "Read-only links",
    "patient_history": "the access log",
}


@pytest.fixture
def editor_client(make_user, patient):
    bob = make_user("bob@example.com")
    Membership.objects.create(person=patient, account=bob, role=EDITOR)
    client = Client()
    client.force_login(bob)
    return client


def page(client, name, patient):
    response = client.get(reverse(name, args=[patient.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("name", OWNER_ONLY)
def test_owner_only_links_follow_the_role_rule(editor_client, owner_client, patient, name):
    assert OWNER_ONLY[name] in page(owner_client, name, patient)
    assert OWNER_ONLY[name] not in page(editor_client, name, patient)


@pytest.mark.parametrize("name", OWNER_ONLY)
def test_were_editors_to_own_they_would_be_offered_them(editor_client, patient, name, monkeypatch):
    can = {memberships.VIEW, memberships.EDIT, memberships.OWN}
    monkeypatch.setitem(memberships.ALLOWED, EDITOR, can)
    assert OWNER_ONLY[name] in page(editor_client, name, patient)
