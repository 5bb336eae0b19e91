"""The person page's body is rendered without the request's context processors: it holds
nothing per request (it is cached whole), and the page's frame runs them once."""

import datetime

import pytest
from django.urls import reverse

from tests.reminders.helpers import add_ferritin

CALLS = []


def counting(request):
    CALLS.append(request.path)
    return {}


@pytest.fixture
def counted(settings):
    engine = {**settings.TEMPLATES[0]}
    options = {**engine["OPTIONS"]}
    options["context_processors"] = [*options["context_processors"], f"{__name__}.counting"]
    settings.TEMPLATES = [{**engine, "OPTIONS": options}, *settings.TEMPLATES[1:]]
    CALLS.clear()
    return CALLS


@pytest.mark.django_db
def test_the_context_processors_run_once_for_the_page(counted, owner_client, patient):
    add_ferritin(patient, datetime.date.today() - datetime.timedelta(days=30), 80)
    path = reverse("patient_detail", args=[patient.pk])
    response = owner_client.get(path)
    assert response.status_code == 200
    assert "Latest values" in response.content.decode()
    assert counted == [path]
