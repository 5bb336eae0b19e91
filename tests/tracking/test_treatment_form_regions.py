"""Oral iron, medicine and event forms read doses and dates the signed-in account's
region's way (issue 11 on the forms of issue 17), as the lab and infusion forms do."""

import datetime

import pytest
from django.urls import reverse

from rlsapp.tracking.memberships import Membership
from rlsapp.tracking.treatments import Medication, MedicationEvent, OralIronCourse
from tests.conftest import client_for
from tests.tracking.test_treatments import course_post, medicine_post

START = datetime.date(2026, 1, 5)


def test_a_german_account_types_doses_with_a_decimal_comma(owner_client, german, patient):
    url = reverse("medicine_create", args=[patient.pk])
    response = owner_client.post(url, medicine_post("05.01.2026", dose="0,125"))
    assert response.status_code == 302
    medicine = Medication.objects.get()
    assert medicine.dose == 0.125
    edit = owner_client.get(reverse("medicine_edit", args=[medicine.pk])).context["form"]
    assert 'value="0,125"' in str(edit["dose"])
    event = {"happened_on": "01.02.2026", "kind": "dose_change", "dose": "0,25 mg", "note": ""}
    create_event = reverse("medicine_event_create", args=[medicine.pk])
    assert owner_client.post(create_event, event).status_code == 302
    assert MedicationEvent.objects.get().dose == 0.25
    edit_event = reverse("medicine_event_edit", args=[MedicationEvent.objects.get().pk])
    version = {"version": str(MedicationEvent.objects.get().version)}
    response = owner_client.post(edit_event, event | version | {"dose": "0,5 mg"})
    assert response.status_code == 302
    assert MedicationEvent.objects.get().dose == 0.5
    course = course_post("", started_on="05.01.2026", elemental_mg="32,5")
    assert owner_client.post(reverse("course_create", args=[patient.pk]), course).status_code == 302
    assert OralIronCourse.objects.get().elemental_mg == 32.5


@pytest.mark.parametrize(
    ("dose", "read"),
    [("0.125", "0.125"), ("0,125 g", "0,125 g"), ("<0,5", "<0,5"), ("2 x 0,125", "2 x 0,125")],
)
def test_a_dose_the_region_does_not_read_is_refused_saying_what_was_read(
    owner_client, german, patient, dose, read
):
    url = reverse("medicine_create", args=[patient.pk])
    response = owner_client.post(url, medicine_post("05.01.2026", dose=dose))
    assert response.context["form"].errors["dose"] == [
        f"Starting dose (total per day): read “{read}”: enter a number in the German "
        "format, for example 1.050,5 or 12,5."
    ]
    assert not Medication.objects.exists()


def test_a_shared_persons_forms_take_the_signed_in_accounts_dates(german, patient, bob):
    """Bob (US) edits the records of a person whose owner is in Germany: he types dates as
    his other forms ask him to."""
    bob.region = "US"
    bob.save()
    Membership.objects.create(person=patient, account=bob, role="editor")
    bob_client = client_for(bob)
    url = reverse("course_create", args=[patient.pk])
    assert 'placeholder="m/d/yyyy"' in str(bob_client.get(url).context["form"]["started_on"])
    assert bob_client.post(url, course_post("", started_on="1/5/2026")).status_code == 302
    assert OralIronCourse.objects.get().started_on == START
    url = reverse("medicine_create", args=[patient.pk])
    assert bob_client.post(url, medicine_post("1/5/2026", dose="0.125")).status_code == 302
    assert Medication.objects.get().started_on == START


def test_the_tables_write_doses_the_regions_way(owner_client, german, patient):
    """Typed '0,125' and '32,5', the person page and the lists showed 0.125 mg/day,
    'Dose changed to 0.25 mg/day' and 32.5 mg beside lab values written '13,1'."""
    owner_client.post(
        reverse("medicine_create", args=[patient.pk]), medicine_post("05.01.2026", dose="0,125")
    )
    medicine = Medication.objects.get()
    event = {"happened_on": "01.02.2026", "kind": "dose_change", "dose": "0,25", "note": ""}
    owner_client.post(reverse("medicine_event_create", args=[medicine.pk]), event)
    course = course_post("", started_on="05.01.2026", elemental_mg="32,5")
    owner_client.post(reverse("course_create", args=[patient.pk]), course)
    for url in (
        patient.get_absolute_url(),
        reverse("medicine_list", args=[patient.pk]),
        reverse("course_list", args=[patient.pk]),
    ):
        html = owner_client.get(url).content.decode()
        assert "0.125" not in html and "0.25 mg" not in html and "32.5" not in html, url
    html = owner_client.get(patient.get_absolute_url()).content.decode()
    assert "0,125 mg/day" in html and "now 0,25 mg/day" in html
    assert "Dose changed to 0,25 mg/day" in html and "32,5 mg per dose" in html


def test_the_rules_name_dates_as_the_form_reads_them(owner_client, german, patient):
    """A German account typing 10.03.2026 read 'End date 2026-03-01 is before the start
    date 2026-03-10' and 'Overlaps the Ferrous sulfate course from 2026-01-05'."""
    url = reverse("course_create", args=[patient.pk])
    data = course_post("", started_on="10.03.2026", ended_on="01.03.2026")
    assert owner_client.post(url, data).context["form"].errors["ended_on"] == [
        "End date 01.03.2026 is before the start date 10.03.2026: enter an end on or after "
        "the start, or leave it blank if still taken."
    ]
    assert owner_client.post(url, course_post("", started_on="05.01.2026")).status_code == 302
    errors = owner_client.post(url, course_post("", started_on="01.02.2026")).context["form"]
    assert "Overlaps the Ferrous sulfate course from 05.01.2026 (ongoing)" in str(errors.errors)
    data = medicine_post("05.01.2026", dose="0,25")
    owner_client.post(reverse("medicine_create", args=[patient.pk]), data)
    medicine = Medication.objects.get()
    event = {"happened_on": "01.01.2026", "kind": "side_effect", "dose": "", "note": ""}
    response = owner_client.post(reverse("medicine_event_create", args=[medicine.pk]), event)
    assert response.context["form"].errors["happened_on"] == [
        "01.01.2026 is outside the time the medicine was taken: enter a date from 05.01.2026 "
        "to today."
    ]
