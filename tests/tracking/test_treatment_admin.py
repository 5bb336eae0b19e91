"""The operator's admin keeps issue 17's rules and writes through the services."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from rlsapp.tracking import services
from rlsapp.tracking.treatments import Medication, MedicationEvent, OralIronCourse
from tests.conftest import PASSWORD, force_login_with_two_factor

D = datetime.date


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("admin@example.com", PASSWORD)
    return force_login_with_two_factor(client, user)


def course_data(patient, start, **overrides):
    return {
        "patient": patient.pk,
        "product": "ferrous_sulfate",
        "product_other": "",
        "elemental_mg": "65",
        "schedule": "daily",
        "schedule_other": "",
        "started_on": str(start),
        "ended_on": "",
        "stop_reason": "",
        "notes": "",
    } | overrides


def test_the_admin_refuses_an_overlapping_course_naming_the_field(admin_client, patient):
    services.save_treatment(
        OralIronCourse(patient=patient, elemental_mg=65, started_on=D(2025, 1, 1))
    )
    response = admin_client.post(
        reverse("admin:tracking_oralironcourse_add"), course_data(patient, D(2025, 2, 1))
    )
    assert response.status_code == 200
    assert "courses of the same product may not overlap" in response.content.decode()
    assert OralIronCourse.objects.count() == 1
    ok = admin_client.post(
        reverse("admin:tracking_oralironcourse_add"),
        course_data(patient, D(2024, 1, 1), ended_on="2024-03-01"),
    )
    assert ok.status_code == 302 and OralIronCourse.objects.count() == 2


def test_deleting_a_medicine_in_the_admin_keeps_its_events_restorable(admin_client, patient):
    medicine = services.save_treatment(
        Medication(patient=patient, drug="ropinirole", dose=1, started_on=D(2025, 1, 1))
    )
    services.save_treatment(
        MedicationEvent(medication=medicine, happened_on=D(2025, 2, 1), kind="augmentation")
    )
    url = reverse("admin:tracking_medication_delete", args=[medicine.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not MedicationEvent.objects.exists()
    deleted = Medication.history.get(history_type="-")
    services.restore(deleted)
    assert MedicationEvent.objects.get().kind == "augmentation"
