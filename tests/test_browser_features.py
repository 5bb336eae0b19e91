"""Permissions-Policy and Cross-Origin-Resource-Policy on every answer, static files too: the
app uses no camera, microphone, location, payment or USB device, and no other site may embed
its pages, JSON or files."""

import pytest
from django.test import Client
from django.urls import reverse

FEATURES = ("camera", "microphone", "geolocation", "payment", "usb")


def assert_headers(response):
    policy = dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))
    assert all(policy[feature] == "()" for feature in FEATURES)
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


@pytest.mark.parametrize("name", ["login", "signup", "password_reset"])
def test_anonymous_pages(client, db, name):
    assert_headers(client.get(reverse(name)))


def test_signed_in_pages_json_and_errors(owner_client, patient):
    assert_headers(owner_client.get(patient.get_absolute_url()))
    assert_headers(owner_client.get(reverse("patient_chart_data", args=[patient.pk])))
    assert_headers(owner_client.get("/no-such-page/"))


def test_static_files(db, settings):
    # WhiteNoise answers these before the rest of the app; finders serve the source folder.
    settings.WHITENOISE_USE_FINDERS = True
    css = next(p.name for p in (settings.BASE_DIR / "static" / "css").glob("*.css"))
    response = Client().get(f"/{settings.STATIC_URL.strip('/')}/css/{css}")
    assert response.status_code == 200
    assert_headers(response)
