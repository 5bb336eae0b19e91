import datetime

import pytest
from django.urls import reverse

from rlsapp.tracking import services
from rlsapp.tracking.models import Infusion, LabDraw, Patient, SymptomScore

from .helpers import draw_post, patient_post


def infusion_post(given_on, **overrides):
    return {
        "given_on": str(given_on),
        "product": "fcm",
        "product_other": "",
        "dose_mg": "1000",
        "reaction": "",
        "notes": "",
        **overrides,
    }


def test_it_records_an_infusion_with_the_default_dose(owner_client, patient, today):
    form = owner_client.get(reverse("infusion_create", args=[patient.pk])).context["form"]
    assert str(form["dose_mg"].value()) == "1000"  # written the region's way, as text
    response = owner_client.post(
        reverse("infusion_create", args=[patient.pk]),
        infusion_post(today, reaction="Flushing for 10 minutes"),
    )
    assert response.status_code == 302
    infusion = Infusion.objects.get(patient=patient)
    assert (infusion.dose_mg, infusion.product_label) == (1000, "FCM")


@pytest.mark.parametrize("dose", ["0", "50000", "-1", "lots"])
def test_it_refuses_an_implausible_dose_naming_the_range(owner_client, patient, today, dose):
    response = owner_client.post(
        reverse("infusion_create", args=[patient.pk]), infusion_post(today, dose_mg=dose)
    )
    assert "enter a number from 10 to 3000 mg" in response.context["form"].errors["dose_mg"][0]
    assert not Infusion.objects.exists()


def test_other_product_needs_a_name(owner_client, patient, today):
    response = owner_client.post(
        reverse("infusion_create", args=[patient.pk]), infusion_post(today, product="other")
    )
    assert "Name the product" in response.context["form"].errors["product_other"][0]


def test_it_records_a_symptom_score_from_0_to_10(owner_client, patient, today):
    url = reverse("symptom_create", args=[patient.pk])
    ok = owner_client.post(url, {"recorded_on": str(today), "severity": "6", "onset_time": "21:30"})
    assert ok.status_code == 302
    refused = owner_client.post(url, {"recorded_on": str(today), "severity": "11"})
    assert "enter a number from 0 to 10" in refused.context["form"].errors["severity"][0]
    assert SymptomScore.objects.get().severity == 6


@pytest.mark.parametrize("kind", ["infusion", "symptom", "draw"])
def test_delete_asks_first_then_deletes(owner_client, patient, today, kind):
    infusion = Infusion.objects.create(patient=patient, given_on=today)
    score = SymptomScore.objects.create(patient=patient, recorded_on=today, severity=3)
    owner_client.post(reverse("draw_create", args=[patient.pk]), draw_post(today, ferritin="50"))
    obj = {"infusion": infusion, "symptom": score, "draw": LabDraw.objects.get()}[kind]
    url = reverse(f"{kind}_delete", args=[obj.pk])
    assert "Delete?" in owner_client.get(url).content.decode()
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert owner_client.post(url).status_code == 302
    assert not type(obj).objects.filter(pk=obj.pk).exists()


def test_lists_are_newest_first_and_paginated(owner_client, patient, today):
    for day in range(30):
        Infusion.objects.create(patient=patient, given_on=today - datetime.timedelta(weeks=day))
    page = owner_client.get(reverse("infusion_list", args=[patient.pk])).context["page"]
    dates = [i.given_on for i in page]
    assert len(dates) == 25
    assert dates == sorted(dates, reverse=True)
    assert page.paginator.num_pages == 2


def test_a_first_time_user_is_led_to_create_a_patient(owner_client):
    response = owner_client.get(reverse("worklist"))
    assert response.status_code == 302
    assert response["Location"] == reverse("patient_create")


def test_it_creates_a_patient_with_the_default_settings(owner_client, owner):
    response = owner_client.post(reverse("patient_create"), patient_post("Bea"))
    patient = Patient.objects.get(owner=owner)
    assert response["Location"] == patient.get_absolute_url()
    assert (patient.ferritin_threshold, patient.first_recheck_weeks) == (100, 8)
    assert patient.routine_recheck_weeks == 12


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_recheck_weeks", "0", "from 1 to 52 weeks"),
        ("routine_recheck_weeks", "500", "from 1 to 104 weeks"),
        ("reminder_lead_days", "-3", "from 0 to 120 days"),
        ("ferritin_threshold", "5000", "from 10 to 1000 µg/L"),
    ],
)
def test_it_refuses_settings_out_of_range(owner_client, field, value, message):
    response = owner_client.post(reverse("patient_create"), patient_post("Bea", **{field: value}))
    assert message in response.context["form"].errors[field][0]
    assert not Patient.objects.exists()


def test_the_worklist_flags_ferritin_below_the_threshold(owner_client, patient, today):
    owner_client.post(reverse("draw_create", args=[patient.pk]), draw_post(today, ferritin="64"))
    html = owner_client.get(reverse("worklist")).content.decode()
    assert "64 µg/L" in html
    assert "below threshold 100" in html


def test_the_patient_page_shows_latest_values_with_the_lab_units(owner_client, patient, today):
    url = reverse("draw_create", args=[patient.pk])
    owner_client.post(url, draw_post(today - datetime.timedelta(days=60), ferritin="300"))
    owner_client.post(url, draw_post(today, ferritin="150", hemoglobin=("128", "g/L")))
    response = owner_client.get(patient.get_absolute_url())
    latest = {r.analyte: r.value for r in response.context["latest"]}
    assert latest == {"ferritin": 150, "hemoglobin": pytest.approx(12.8)}
    assert "lab: 128 g/L" in response.content.decode()


def test_the_worklist_counts_the_days_since_the_last_infusion(owner_client, patient, today):
    for days in (164, 400):
        services.save_record(
            Infusion(patient=patient, given_on=today - datetime.timedelta(days=days))
        )
    assert "164 days" in owner_client.get(reverse("worklist")).content.decode()
