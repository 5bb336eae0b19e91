"""The 404 and 403 pages are the app's own (navigation, a way back, words about sharing),
not Django's bare ones: a member removed from a person, or moved to "Can view", meets them
on their next page."""

import pytest
from django.urls import reverse

from rlsapp.sharing import services
from rlsapp.tracking.memberships import VIEWER, Membership
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_removed_member_gets_the_apps_404_as_a_stranger_does(patient, make_user, outsider_client):
    bob = make_user("bob@example.com")
    membership = Membership.objects.create(person=patient, account=bob, role=VIEWER)
    bob_client = client_for(bob)
    assert bob_client.get(patient.get_absolute_url()).status_code == 200
    services.remove_member(membership)
    for client in (bob_client, outsider_client):
        response = client.get(patient.get_absolute_url())
        page = response.content.decode()
        assert response.status_code == 404
        assert "Page not found" in page and f'href="{reverse("home")}"' in page
        assert "Alice" not in page


def test_a_revoked_or_unknown_link_gets_the_same_404(client, db):
    response = client.get("/shared/" + "A" * 43 + "/")
    assert response.status_code == 404 and "Page not found" in response.content.decode()


def test_a_viewer_who_posts_a_change_gets_the_apps_403(patient, make_user):
    bob = make_user("bob@example.com")
    Membership.objects.create(person=patient, account=bob, role=VIEWER)
    response = client_for(bob).post(reverse("draw_create", args=[patient.pk]), {"ferritin": "9"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "Not allowed" in page and "“Can view”" in page and "Alice" not in page
