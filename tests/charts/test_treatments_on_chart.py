"""Oral iron courses and medicines on the chart, and oral iron left out of the decline fit."""

import pytest
from django.urls import reverse

from rlsapp.tracking import services
from rlsapp.tracking.models import Infusion
from rlsapp.tracking.treatments import Medication, MedicationEvent, OralIronCourse

from .helpers import add_draw, week

CHART_JSON_BUDGET = 5


def chart(client, patient):
    response = client.get(reverse("patient_chart_data", args=[patient.pk]))
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def declining_then_oral_iron(patient):
    """An infusion, a decline of 10 µg/L a week, then a rise during a course of oral iron."""
    services.save_record(Infusion(patient=patient, given_on=week(0), dose_mg=1000))
    for n, value in [(5, 300), (8, 270), (11, 240), (14, 300), (17, 330)]:
        add_draw(patient, week(n), ferritin=value)
    services.save_treatment(
        OralIronCourse(patient=patient, elemental_mg=65, started_on=week(13), ended_on=week(18))
    )
    return patient


def test_points_during_a_course_are_left_out_of_the_fit(owner_client, declining_then_oral_iron):
    data = chart(owner_client, declining_then_oral_iron)
    assert [p["excluded"] for p in data["ferritin"]] == [False, False, False, True, True]
    [episode] = data["episodes"]
    assert episode["linear"]["decline_per_week"] == 10.0
    assert episode["linear"]["n_points"] == 3
    assert episode["oral_iron"] == ["Ferrous sulfate"]
    assert data["oral_iron_left_out"] is True


def test_the_setting_off_keeps_them_in(owner_client, declining_then_oral_iron):
    patient = declining_then_oral_iron
    patient.leave_out_oral_iron = False
    services.save_person(patient)
    data = chart(owner_client, patient)
    assert not any(p["excluded"] for p in data["ferritin"])
    [episode] = data["episodes"]
    assert episode["linear"]["n_points"] == 5
    assert episode["linear"]["decline_per_week"] < 10.0  # the rise read as a slower decline


def test_courses_medicines_and_events_are_bands_and_markers(owner_client, patient):
    services.save_treatment(
        OralIronCourse(patient=patient, elemental_mg=65, started_on=week(1), ended_on=week(9))
    )
    agonist = services.save_treatment(
        Medication(
            patient=patient, drug="ropinirole", dose=1, started_on=week(0), stopped_on=week(20)
        )
    )
    for n, kind, dose in [(4, "dose_change", 2), (12, "augmentation", None)]:
        services.save_treatment(
            MedicationEvent(medication=agonist, happened_on=week(n), kind=kind, dose=dose)
        )
    services.save_treatment(
        Medication(patient=patient, drug="pregabalin", dose=150, started_on=week(21))
    )
    add_draw(patient, week(2), ferritin=50)
    data = chart(owner_client, patient)
    assert data["courses"] == [
        {"start": "2024-01-08", "end": "2024-03-04", "label": "Oral iron: Ferrous sulfate"}
    ]
    assert data["medicines"] == [
        {
            "start": "2024-01-01",
            "end": "2024-05-20",
            "label": "Ropinirole",
            "dopamine_agonist": True,
        },
        {"start": "2024-05-27", "end": None, "label": "Pregabalin", "dopamine_agonist": False},
    ]
    assert data["medicine_events"] == [
        {"date": "2024-03-25", "kind": "augmentation", "label": "Augmentation: Ropinirole"}
    ]


def test_the_chart_json_stays_within_budget_with_treatments(
    owner_client, declining_then_oral_iron, django_assert_max_num_queries
):
    services.save_treatment(
        Medication(
            patient=declining_then_oral_iron, drug="gabapentin", dose=300, started_on=week(1)
        )
    )
    with django_assert_max_num_queries(CHART_JSON_BUDGET):
        chart(owner_client, declining_then_oral_iron)


def test_the_report_lists_current_and_past_medicines_and_iron_with_dates(owner_client, patient):
    agonist = services.save_treatment(
        Medication(
            patient=patient,
            drug="pramipexole",
            dose=0.25,
            started_on=week(0),
            stopped_on=week(30),
            stop_reason="augmentation",
        )
    )
    services.save_treatment(
        MedicationEvent(medication=agonist, happened_on=week(26), kind="augmentation")
    )
    services.save_treatment(
        Medication(patient=patient, drug="pregabalin", dose=150, started_on=week(31))
    )
    services.save_treatment(
        OralIronCourse(
            patient=patient,
            elemental_mg=65,
            schedule="alternate",
            with_vitamin_c=True,
            started_on=week(2),
        )
    )
    page = owner_client.get(reverse("patient_report", args=[patient.pk])).content.decode()
    section = page.split('id="treatments-heading"')[1].split("</section>")[0]
    assert "Pregabalin (Lyrica)" in section and "still taken" in section
    assert "Pramipexole (Mirapex)" in section and "29 Jul 2024 (augmentation)" in section
    assert "Augmentation on 1 Jul 2024" in section
    assert "Oral iron: Ferrous sulfate" in section
    assert "65 mg elemental iron, every other day, with vitamin C" in section
    assert "15 Jan 2024" in section and "ongoing" in section
