"""A person with every kind of record the person page shows, for the tests of its reads."""

import datetime

from django.utils import timezone

from rlsapp.domain.units import Measurement
from rlsapp.reminders.models import Reminder
from rlsapp.tracking import services
from rlsapp.tracking.models import LabDraw, Patient, SymptomScore
from rlsapp.tracking.treatments import OralIronCourse
from tests.charts.helpers import DAY0, add_draw
from tests.reminders.helpers import add_infusion, add_medicine, add_medicine_event


def person_with_every_record(owner):
    """A person with draws (bounds, a result entered in other units, one draw left out),
    infusions, symptom scores with an onset time, an oral iron course, medicines with
    events, and an open re-check that was emailed."""
    person = Patient.objects.create(owner=owner, name="Robin", sex="F")
    for week in range(14):
        add_draw(person, DAY0 + datetime.timedelta(weeks=week), ferritin=40 + week, iron=9.5)
    bound = add_draw(person, DAY0 + datetime.timedelta(weeks=15), comparator="<", ferritin=5)
    services.leave_out(bound, "illness", "a cold")
    draw = LabDraw(patient=person, drawn_on=DAY0 + datetime.timedelta(weeks=16), lab_name="Lab")
    services.save_draw(
        draw,
        {
            "hemoglobin": Measurement("hemoglobin", 12.5, "", "125", "g/L"),
            "ferritin": Measurement("ferritin", 61.25, "", "61.25", "µg/L"),
        },
    )
    for days in (3, 200):
        add_infusion(person, DAY0 + datetime.timedelta(days=days))
    for day in range(12):
        services.save_record(
            SymptomScore(
                patient=person,
                recorded_on=DAY0 + datetime.timedelta(days=day),
                severity=day % 10,
                onset_time=datetime.time(21, 30) if day % 2 else None,
                note="restless evening" if day % 3 else "",
            )
        )
    services.save_treatment(
        OralIronCourse(patient=person, elemental_mg=65, started_on=DAY0, with_vitamin_c=True)
    )
    medicine = add_medicine(person, DAY0, notes="first")
    add_medicine(person, DAY0 + datetime.timedelta(days=40), drug="gabapentin", dose=300)
    for days, kind, dose in [(5, "dose_change", 0.5), (9, "side_effect", None)]:
        add_medicine_event(medicine, DAY0 + datetime.timedelta(days=days), kind, dose)
    Reminder.objects.open().filter(patient=person).update(
        status="sent", sent_at=timezone.now(), claimed_at=timezone.now()
    )
    return person
