"""An oral iron course moves the re-check: its results leave the fits (issue 17)."""

import datetime

from rlsapp.reminders import services as reminders
from rlsapp.tracking import services
from rlsapp.tracking.treatments import Medication, OralIronCourse


def test_a_course_reschedules_and_a_medicine_does_not(patient, monkeypatch):
    synced = []
    monkeypatch.setattr(reminders, "sync_patient", lambda person, **_: synced.append(person))
    day = datetime.date(2025, 1, 1)
    course = services.save_treatment(
        OralIronCourse(patient=patient, elemental_mg=65, started_on=day)
    )
    assert len(synced) == 1
    services.save_treatment(
        Medication(patient=patient, drug="gabapentin", dose=300, started_on=day)
    )
    assert len(synced) == 1
    services.delete_treatment(course)
    assert len(synced) == 2
