"""A refused form (CSRF) gets the app's own page: Django's built-in one has inline styles the
policy blocks, names the framework and explains the check to a developer."""

from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD


def test_a_post_without_its_token_gets_the_apps_page(owner, caplog):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": owner.email, "password": PASSWORD})
    assert response.status_code == 403
    page = response.content.decode()
    assert "This form could not be accepted" in page and "Nothing was saved" in page
    assert "<style" not in page and "CSRF" not in page and "DEBUG" not in page
    assert 'integrity="sha384-' in page  # the app's styles, from the pinned file
    assert "CSRF cookie not set" in caplog.text  # the reason is still logged


def test_a_signed_in_post_without_its_token_changes_nothing(owner, patient):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(reverse("patient_edit", args=[patient.pk]), {"name": "Changed"})
    assert response.status_code == 403
    patient.refresh_from_db()
    assert patient.name != "Changed"
    assert "This form could not be accepted" in response.content.decode()
