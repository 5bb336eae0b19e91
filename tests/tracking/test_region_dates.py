"""Infusion and symptom-score dates in the account's format (issue 11 item 3)."""

import datetime

import pytest
from django.urls import reverse

from rlsapp.tracking.models import Infusion, SymptomScore

DAY = datetime.date(2026, 10, 20)


@pytest.fixture
def german(owner):
    owner.region = "DE"
    owner.save()
    return owner


def test_an_infusion_date_is_typed_and_shown_the_regions_way(owner_client, german, patient):
    url = reverse("infusion_create", args=[patient.pk])
    form = owner_client.get(url).context["form"]
    html = str(form["given_on"])
    assert 'type="text"' in html and 'placeholder="dd.mm.yyyy"' in html
    data = {"given_on": "20.10.2026", "product": "fcm", "dose_mg": "1000"}
    assert owner_client.post(url, data).status_code == 302
    infusion = Infusion.objects.get()
    assert infusion.given_on == DAY
    edit = owner_client.get(reverse("infusion_edit", args=[infusion.pk])).context["form"]
    assert 'value="20.10.2026"' in str(edit["given_on"])


def test_a_symptom_date_in_another_format_is_refused_naming_the_expected_one(
    owner_client, owner, patient
):
    owner.region = "US"
    owner.save()
    url = reverse("symptom_create", args=[patient.pk])
    response = owner_client.post(url, {"recorded_on": "20.10.2026", "severity": "4"})
    assert response.context["form"].errors["recorded_on"] == [
        "Date: read “20.10.2026”: enter it as m/d/yyyy, for example 12/31/2025, or as 2025-12-31."
    ]
    assert not SymptomScore.objects.exists()
    assert owner_client.post(url, {"recorded_on": "10/20/2026", "severity": "4"}).status_code == 302
    assert SymptomScore.objects.get().recorded_on == DAY


def test_a_new_symptom_score_still_starts_at_today(owner_client, german, patient, today):
    form = owner_client.get(reverse("symptom_create", args=[patient.pk])).context["form"]
    assert f'value="{today:%d.%m.%Y}"' in str(form["recorded_on"])
