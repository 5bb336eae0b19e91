"""The person page reads its two statements' rows in PostgreSQL's binary format
(compiled.prepared_cursor's `binary`): every column of them loads to the same value, of
the same type, as from text, for a person with every kind of record."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from rlsapp.domain.units import Measurement
from rlsapp.reminders.models import Reminder
from rlsapp.tracking import compiled, services
from rlsapp.tracking.models import LabDraw, LabResult, Patient, SymptomScore
from rlsapp.tracking.treatments import MedicationEvent, OralIronCourse
from rlsapp.web import person_page
from tests.charts.helpers import DAY0, add_draw
from tests.reminders.helpers import add_infusion, add_medicine

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="rows in binary format on PostgreSQL"
)


def _fields(obj):
    # Every attribute read, with its type and its text (a time zone or a Decimal's
    # exponent shows there), and the same of the objects cached with it.
    own = {k: (type(v), repr(v)) for k, v in vars(obj).items() if k != "_state"}
    cached = {k: _fields(v) for k, v in obj._state.fields_cache.items()}
    return own, cached


@pytest.fixture
def everything(owner):
    """A person with draws (bounds, a converted and a calculated result, one left out),
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
        event = MedicationEvent(
            medication=medicine,
            patient=person,
            happened_on=DAY0 + datetime.timedelta(days=days),
            kind=kind,
            dose=dose,
        )
        services.save_treatment(event)
    Reminder.objects.open().filter(patient=person).update(
        status="sent", sent_at=timezone.now(), claimed_at=timezone.now()
    )
    return person


def test_the_records_read_together_load_the_same_in_binary(everything):
    text = compiled.together(
        "person-page", person_page.QUERIES, prepared=True, person=everything.pk
    )
    binary = person_page._read_all(everything)
    assert all(text[name] for name in person_page.QUERIES)  # every kind has rows
    for name in person_page.QUERIES:
        assert [_fields(obj) for obj in binary[name]] == [_fields(obj) for obj in text[name]]


def test_the_results_read_load_the_same_in_binary(everything, monkeypatch):
    binary = LabResult.objects.recent_and_latest(everything, 10)
    prepared_cursor = compiled.prepared_cursor
    monkeypatch.setattr(
        compiled, "prepared_cursor", lambda connection, binary=False: prepared_cursor(connection)
    )
    text = LabResult.objects.recent_and_latest(everything, 10)
    (draws, more, latest), (text_draws, text_more, text_latest) = binary, text
    assert more and text_more and len(draws) == 10
    assert [_fields(draw) for draw in draws] == [_fields(draw) for draw in text_draws]
    assert [[_fields(r) for r in draw.preloaded_results] for draw in draws] == [
        [_fields(r) for r in draw.preloaded_results] for draw in text_draws
    ]
    assert {k: _fields(r) for k, r in latest.items()} == {
        k: _fields(r) for k, r in text_latest.items()
    }
