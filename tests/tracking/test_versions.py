"""A person's data version: moved on once per save, at its end, inside its transaction."""

import threading

import pytest
from django.db import connection, transaction
from django.urls import reverse

from rlsapp.tracking import services
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, Patient
from rlsapp.tracking.versions import bump_person_versions, one_bump_at_the_end

from .helpers import draw_post


def version(person):
    return Patient.objects.values_list("data_version", flat=True).get(pk=person.pk)


def test_a_lab_result_with_three_values_moves_the_version_on_once(
    owner_client, owner, patient, today
):
    before = version(patient)
    response = owner_client.post(
        reverse("draw_create", args=[patient.pk]),
        draw_post(today, ferritin="84", hemoglobin="13.1", hematocrit="39"),
    )
    assert response.status_code == 302
    assert LabResult.objects.filter(draw__patient=patient).count() == 3
    assert version(patient) == before + 1


def test_deleting_a_draw_with_its_results_moves_the_version_on_once(
    owner_client, owner, patient, today
):
    owner_client.post(
        reverse("draw_create", args=[patient.pk]),
        draw_post(today, ferritin="84", hemoglobin="13.1"),
    )
    draw = LabDraw.objects.get(patient=patient)
    before = version(patient)
    owner_client.post(reverse("draw_delete", args=[draw.pk]))
    assert not LabDraw.objects.exists()
    assert version(patient) == before + 1


def test_the_version_moves_on_inside_the_transaction_not_after_it(owner, patient, today):
    before = version(patient)
    with transaction.atomic():
        with one_bump_at_the_end():
            services.save_record(
                Infusion(patient=patient, given_on=today, product="sucrose", dose_mg=200)
            )
            assert version(patient) == before  # noted, not yet moved on
        assert version(patient) == before + 1  # moved on before anything commits
        transaction.set_rollback(True)
    assert version(patient) == before


def test_a_failed_save_writes_nothing_and_moves_no_version_on(owner, patient, today):
    before = version(patient)
    with pytest.raises(ZeroDivisionError):
        with one_bump_at_the_end():
            Infusion.objects.create(patient=patient, given_on=today, product="sucrose", dose_mg=200)
            raise ZeroDivisionError
    assert not Infusion.objects.exists()
    assert version(patient) == before
    bump_person_versions([patient.pk])  # outside, a change moves it on at once again
    assert version(patient) == before + 1


def test_nested_saves_move_the_version_on_once_at_the_outer_end(owner, patient, today):
    before = version(patient)
    with one_bump_at_the_end():
        with one_bump_at_the_end():
            services.save_record(
                Infusion(patient=patient, given_on=today, product="sucrose", dose_mg=200)
            )
        assert version(patient) == before
    assert version(patient) == before + 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL to run it)"
)
@pytest.mark.django_db(transaction=True)
def test_another_save_of_the_same_person_is_not_blocked_until_the_first_ends(owner, patient, today):
    saved = threading.Event()
    may_finish = threading.Event()
    errors = []

    def slow_save():
        try:
            with one_bump_at_the_end():
                Infusion.objects.create(
                    patient=patient, given_on=today, product="sucrose", dose_mg=200
                )
                saved.set()
                may_finish.wait(10)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=slow_save)
    first.start()
    try:
        assert saved.wait(10)
        # With the version moved on at each change, the first save would hold the
        # person's row lock now, and this would wait for it.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            bump_person_versions([patient.pk])
    finally:
        may_finish.set()
        first.join()
    assert errors == []
    assert Infusion.objects.count() == 1


def test_a_person_read_before_their_version_moved_on_does_not_take_it_back_when_saved(patient):
    read_first = Patient.objects.get(pk=patient.pk)
    bump_person_versions([patient.pk])  # someone else's change, committed meanwhile
    moved_on = version(patient)
    read_first.name = "Renamed"
    services.save_person(read_first)
    # Back at the earlier number, the version would name a page cached before this change.
    assert version(patient) > moved_on
    assert Patient.objects.get(pk=patient.pk).name == "Renamed"


def test_a_person_read_before_they_were_deleted_stays_deleted_when_saved(patient):
    read_first = Patient.objects.get(pk=patient.pk)
    services.delete_person(Patient.objects.get(pk=patient.pk))
    read_first.name = "Renamed"
    read_first.save()
    assert Patient.objects.get(pk=patient.pk).deleted_at is not None
