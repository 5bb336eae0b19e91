"""Oral iron courses and RLS medicines: the forms, the one write path's rules, history and
restore, the patient page."""

import datetime

import pytest
from django.urls import reverse

from rlsapp.tracking import history, services
from rlsapp.tracking.treatments import Medication, MedicationEvent, OralIronCourse
from tests.reminders.helpers import add_medicine

DAY = datetime.timedelta(days=1)


def course_post(start, end=None, **overrides):
    return {
        "product": "ferrous_sulfate",
        "product_other": "",
        "elemental_mg": "65",
        "schedule": "alternate",
        "schedule_other": "",
        "with_vitamin_c": "on",
        "started_on": str(start),
        "ended_on": str(end) if end else "",
        "stop_reason": "",
        "notes": "",
    } | overrides


def medicine_post(start, **overrides):
    return {
        "drug": "pramipexole",
        "drug_other": "",
        "dose": "0.25",
        "dose_unit": "mg",
        "started_on": str(start),
        "stopped_on": "",
        "stop_reason": "",
        "notes": "",
    } | overrides


def add_course(patient, start, end=None, product="ferrous_sulfate"):
    return services.save_treatment(
        OralIronCourse(
            patient=patient, product=product, elemental_mg=65, started_on=start, ended_on=end
        )
    )


def add_event(medication, day, kind):
    return services.save_treatment(
        MedicationEvent(medication=medication, happened_on=day, kind=kind)
    )


def errors_of(response):
    return response.context["form"].errors


def test_a_course_is_added_through_the_form(owner_client, patient, today):
    url = reverse("course_create", args=[patient.pk])
    response = owner_client.post(url, course_post(today - 60 * DAY, today - 10 * DAY))
    assert response.status_code == 302
    course = OralIronCourse.objects.get(patient=patient)
    assert (course.schedule, course.with_vitamin_c, course.elemental_mg) == ("alternate", True, 65)
    page = owner_client.get(patient.get_absolute_url()).content.decode()
    assert "Ferrous sulfate" in page and "Every other day" in page


def test_an_end_before_the_start_is_refused_naming_the_end_field(owner_client, patient, today):
    url = reverse("course_create", args=[patient.pk])
    response = owner_client.post(url, course_post(today - 10 * DAY, today - 20 * DAY))
    assert response.status_code == 200
    assert "is before the start date" in errors_of(response)["ended_on"][0]
    assert not OralIronCourse.objects.exists()


def test_elemental_iron_out_of_range_is_refused_naming_the_field(owner_client, patient, today):
    url = reverse("course_create", args=[patient.pk])
    response = owner_client.post(url, course_post(today, elemental_mg="650"))
    assert "from 5 to 400 mg" in errors_of(response)["elemental_mg"][0]
    assert not OralIronCourse.objects.exists()


def test_overlapping_courses_of_the_same_product_are_refused(owner_client, patient, today):
    add_course(patient, today - 100 * DAY, today - 40 * DAY)
    url = reverse("course_create", args=[patient.pk])
    response = owner_client.post(url, course_post(today - 50 * DAY))
    message = errors_of(response)["started_on"][0]
    assert "Overlaps the Ferrous sulfate course from" in message
    assert OralIronCourse.objects.count() == 1
    # Another product may run alongside; the same product after the end may start.
    other = course_post(today - 50 * DAY, product="ferrous_gluconate")
    assert owner_client.post(url, other).status_code == 302
    assert owner_client.post(url, course_post(today - 39 * DAY)).status_code == 302
    assert OralIronCourse.objects.count() == 3


def test_the_service_refuses_an_overlap_whoever_calls_it(patient, today):
    add_course(patient, today - 100 * DAY)
    with pytest.raises(services.InvalidRecord) as refused:
        add_course(patient, today - 10 * DAY)
    assert "started_on" in refused.value.problems
    assert OralIronCourse.objects.count() == 1


def test_an_edited_course_does_not_overlap_itself(owner_client, patient, today):
    course = add_course(patient, today - 100 * DAY)
    data = course_post(today - 100 * DAY, today - 5 * DAY, version=str(course.version))
    response = owner_client.post(reverse("course_edit", args=[course.pk]), data)
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.ended_on == today - 5 * DAY


def test_a_medicine_with_a_dose_change_and_augmentation(owner_client, patient, today):
    response = owner_client.post(
        reverse("medicine_create", args=[patient.pk]), medicine_post(today - 300 * DAY)
    )
    assert response.status_code == 302
    medication = Medication.objects.get(patient=patient)
    url = reverse("medicine_event_create", args=[medication.pk])
    change = {"happened_on": str(today - 200 * DAY), "kind": "dose_change", "dose": "0.5"}
    assert owner_client.post(url, change | {"note": ""}).status_code == 302
    augmentation = {"happened_on": str(today - 30 * DAY), "kind": "augmentation", "dose": ""}
    assert owner_client.post(url, augmentation | {"note": "symptoms from 3 pm"}).status_code == 302
    assert medication.current_dose_display() == "0.5 mg/day"
    page = owner_client.get(patient.get_absolute_url()).content.decode()
    assert "Pramipexole (Mirapex)" in page
    assert "Augmentation on" in page and "symptoms from 3 pm" in page
    assert reverse("augmentation_help") in page  # the guideline note's link
    assert "now 0.5 mg/day" in page
    # Stopped, the latest dose is the last one taken, not one taken now.
    medication.refresh_from_db()
    medication.stopped_on, medication.stop_reason = today - 10 * DAY, "augmentation"
    services.save_treatment(medication)
    page = owner_client.get(patient.get_absolute_url()).content.decode()
    assert "last 0.5 mg/day" in page and "now 0.5 mg/day" not in page


def test_other_naming_a_listed_medicine_or_product_asks_for_the_list(owner_client, patient, today):
    """'Other: Requip' was saved as an unlisted medicine (no dose limits, no augmentation
    note, no dopamine-agonist colour); 'Other: Ferrous Sulphate' escaped the overlap rule."""
    data = medicine_post(today, drug="other", drug_other="Requip", dose="2")
    response = owner_client.post(reverse("medicine_create", args=[patient.pk]), data)
    assert errors_of(response)["drug_other"] == [
        "Ropinirole (Requip) is in the list: choose it as the medicine (its dose limits and, "
        "for a dopamine agonist, the augmentation note go with it)."
    ]
    data = course_post(today, product="other", product_other="Ferrous Sulphate")
    response = owner_client.post(reverse("course_create", args=[patient.pk]), data)
    assert errors_of(response)["product_other"] == [
        "Ferrous sulfate is in the list: choose it as the product (courses of the same "
        "product may not overlap)."
    ]
    assert not Medication.objects.exists() and not OralIronCourse.objects.exists()
    data = medicine_post(today, drug="other", drug_other="Clonazepam", dose="0.5")
    assert owner_client.post(reverse("medicine_create", args=[patient.pk]), data).status_code == 302


def test_a_dose_out_of_range_is_refused_naming_the_dose(owner_client, patient, today):
    response = owner_client.post(
        reverse("medicine_create", args=[patient.pk]), medicine_post(today, dose="25")
    )
    assert (
        "accepted for Pramipexole (Mirapex): 0.0625–4.5 mg per day"
        in (errors_of(response)["dose"][0])
    )
    assert not Medication.objects.exists()


def test_a_dose_change_needs_a_plausible_new_dose(owner_client, patient, today):
    medication = add_medicine(patient, today - 100 * DAY)
    url = reverse("medicine_event_create", args=[medication.pk])
    base = {"happened_on": str(today - DAY), "kind": "dose_change", "note": ""}
    assert "Enter the new dose" in errors_of(owner_client.post(url, base | {"dose": ""}))["dose"][0]
    assert (
        "New dose: 40 mg/day read"
        in (errors_of(owner_client.post(url, base | {"dose": "40"}))["dose"][0])
    )
    assert not MedicationEvent.objects.exists()


def test_an_event_outside_the_time_taken_is_refused(owner_client, patient, today):
    medication = add_medicine(patient, today - 100 * DAY, stop=today - 50 * DAY)
    data = {"happened_on": str(today - 10 * DAY), "kind": "side_effect", "dose": "", "note": ""}
    response = owner_client.post(reverse("medicine_event_create", args=[medication.pk]), data)
    assert "outside the time the medicine was taken" in errors_of(response)["happened_on"][0]


def test_a_stop_date_may_not_leave_an_event_outside(owner_client, patient, today):
    medication = add_medicine(patient, today - 100 * DAY)
    add_event(medication, today - 10 * DAY, "augmentation")
    data = medicine_post(today - 100 * DAY, stopped_on=str(today - 20 * DAY))
    data["version"] = str(medication.version)
    response = owner_client.post(reverse("medicine_edit", args=[medication.pk]), data)
    assert "would fall outside the time taken" in errors_of(response)["stopped_on"][0]


def test_a_deleted_medicine_comes_back_with_its_events(owner_client, patient, today):
    medication = add_medicine(patient, today - 100 * DAY)
    add_event(medication, today - 10 * DAY, "augmentation")
    owner_client.post(reverse("medicine_delete", args=[medication.pk]))
    assert not Medication.objects.exists() and not MedicationEvent.objects.exists()
    changes = history.patient_history(patient)
    deleted = next(c for c in changes if c.restore_kind == "medicine")
    assert "Medicine: Pramipexole" in deleted.what
    response = owner_client.post(reverse("restore_record", args=["medicine", deleted.restore_id]))
    assert response.status_code == 302
    assert MedicationEvent.objects.get().kind == "augmentation"


def test_an_event_cannot_come_back_without_its_medicine(patient, today):
    medication = add_medicine(patient, today - 100 * DAY)
    event = add_event(medication, today - 10 * DAY, "side_effect")
    event_id = event.pk
    services.delete_treatment(event)
    services.delete_treatment(medication)
    record = MedicationEvent.history.get(id=event_id, history_type="-")
    with pytest.raises(services.ParentMissing):
        services.restore(record)


def test_a_restored_course_may_not_overlap_a_newer_one(patient, today):
    old = add_course(patient, today - 100 * DAY, today - 50 * DAY)
    old_id = old.pk
    services.delete_treatment(old)
    add_course(patient, today - 60 * DAY)
    record = OralIronCourse.history.get(id=old_id, history_type="-")
    with pytest.raises(services.InvalidRecord):
        services.restore(record)


def test_history_lists_course_changes(owner_client, patient, today):
    course = add_course(patient, today - 100 * DAY)
    course.ended_on = today - DAY
    services.save_treatment(course)
    page = owner_client.get(reverse("patient_history", args=[patient.pk])).content.decode()
    assert "Oral iron course: Ferrous sulfate" in page
    assert "End date: (blank) →" in page


def test_deleting_a_person_forgets_their_treatments_history(patient, today):
    medication = add_medicine(patient, today - 10 * DAY)
    add_event(medication, today, "other")
    add_course(patient, today - 10 * DAY)
    services.erase_person(patient)
    for model in (OralIronCourse, Medication, MedicationEvent):
        assert not model.history.exists()


def test_the_course_form_lists_every_field_it_saves(owner_client, patient):
    page = owner_client.get(reverse("course_create", args=[patient.pk])).content.decode()
    for name in ("product", "elemental_mg", "schedule", "with_vitamin_c", "ended_on"):
        assert f'name="{name}"' in page


def test_a_cached_page_and_chart_show_a_new_course_and_medicine_at_once(
    owner_client, patient, today
):
    chart_url = reverse("patient_chart_data", args=[patient.pk])
    assert "Ferrous sulfate" not in owner_client.get(patient.get_absolute_url()).content.decode()
    assert owner_client.get(chart_url).json()["courses"] == []
    owner_client.post(reverse("course_create", args=[patient.pk]), course_post(today))
    owner_client.post(reverse("medicine_create", args=[patient.pk]), medicine_post(today))
    page = owner_client.get(patient.get_absolute_url()).content.decode()
    assert "Ferrous sulfate" in page and "Pramipexole (Mirapex)" in page
    data = owner_client.get(chart_url).json()
    assert len(data["courses"]) == 1 and len(data["medicines"]) == 1


def test_an_event_is_edited_deleted_and_restored_from_the_history(owner_client, patient, today):
    medication = add_medicine(patient, today - 100 * DAY)
    event = add_event(medication, today - 10 * DAY, "side_effect")
    data = {
        "happened_on": str(today - 9 * DAY),
        "kind": "side_effect",
        "dose": "",
        "note": "nausea",
        "version": str(event.version),
    }
    assert (
        owner_client.post(reverse("medicine_event_edit", args=[event.pk]), data).status_code == 302
    )
    owner_client.post(reverse("medicine_event_delete", args=[event.pk]))
    assert not MedicationEvent.objects.exists()
    page = owner_client.get(reverse("patient_history", args=[patient.pk])).content.decode()
    assert "Event of Pramipexole (Mirapex): Side effect on" in page
    [deleted] = [c for c in history.patient_history(patient) if c.restore_kind == "medicine_event"]
    owner_client.post(reverse("restore_record", args=["medicine_event", deleted.restore_id]))
    assert MedicationEvent.objects.get().note == "nausea"
