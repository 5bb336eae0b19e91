"""A change reads its person at the request's start and locks their row only in the service:
settings changed by someone else in between are planned with, not the ones read first
(PostgreSQL; the data version the row had when locked tells)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rlsapp.tracking import services
from rlsapp.tracking.models import Patient

from .helpers import add_ferritin, add_infusion, planned_recheck, stored_recheck

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL to run it)"
)

START = datetime.date(2026, 1, 5)


@pytest.mark.parametrize("record", ["draw", "infusion"])
def test_a_change_through_a_person_read_before_their_settings_changed_plans_with_the_new(
    patient, record
):
    add_infusion(patient, START)
    add_ferritin(patient, START + datetime.timedelta(weeks=8), 150)
    read_first = Patient.objects.get(pk=patient.pk)  # as a request reads it
    meanwhile = Patient.objects.get(pk=patient.pk)
    meanwhile.name, meanwhile.ferritin_threshold = "Renamed", 300
    meanwhile.first_recheck_weeks = 12
    services.save_person(meanwhile)

    if record == "draw":
        add_ferritin(read_first, START + datetime.timedelta(weeks=12), 140)
    else:
        add_infusion(read_first, START + datetime.timedelta(weeks=13))
    stored = stored_recheck(patient)
    assert stored["name"] == "Renamed"
    assert stored == planned_recheck(patient)


def test_a_change_through_a_person_read_just_now_reads_them_no_second_time(patient):
    add_infusion(patient, START)
    fresh = Patient.objects.get(pk=patient.pk)
    with CaptureQueriesContext(connection) as queries:
        add_ferritin(fresh, START + datetime.timedelta(weeks=8), 150)
    reads_of_the_person = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "tracking_patient"' in q["sql"]
    ]
    assert reads_of_the_person == []
