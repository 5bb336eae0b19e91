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


def test_a_refused_request_is_one_line_in_the_log_and_a_server_error_keeps_its_traceback(
    patient, make_user, caplog
):
    import logging

    from django.utils.log import log_response

    bob = make_user("bob@example.com")
    Membership.objects.create(person=patient, account=bob, role=VIEWER)
    with caplog.at_level(logging.INFO):
        response = client_for(bob).post(reverse("draw_create", args=[patient.pk]), {})
    assert response.status_code == 403
    [refused] = [r for r in caplog.records if r.name == "django.request"]
    assert refused.exc_info is None and "Traceback" not in caplog.text
    caplog.clear()
    # A 500 is logged through the same logger, with its traceback (Django's own log_response).
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        failed = type("Response", (), {"status_code": 500, "_has_been_logged": False})()
        with caplog.at_level(logging.INFO):
            log_response("Internal Server Error: %s", "/x/", response=failed, exception=error)
    [logged] = [r for r in caplog.records if r.name == "django.request"]
    assert logged.exc_info is not None and "Traceback" in caplog.text
