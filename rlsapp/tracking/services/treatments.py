"""Oral iron courses and RLS medicines (with their events): checked against
treatment_rules before anything is saved."""

from .. import treatment_rules
from ..change_reasons import DELETED_WITH_MEDICINE
from ..models import Patient
from ..treatments import Medication, MedicationEvent, OralIronCourse
from ..versions import lock_people, one_bump_at_the_end
from .base import KIND_OF, MEDICINES, ORAL_IRON, UNCHECKED, _by, _changed, _claim_version

InvalidRecord = treatment_rules.InvalidRecord


def _lock_person(person_id: int) -> None:
    """Two saves for one person run one after the other, so the overlap rule holds (the
    same lock the re-check's reschedule takes, so it is not taken twice)."""
    lock_people([person_id])


@one_bump_at_the_end()
def save_treatment(
    record: OralIronCourse | Medication | MedicationEvent, *, seen_version=UNCHECKED, by=None
):
    """Add or change an oral iron course, a medicine or one of its events.

    Raises InvalidRecord (nothing saved) when the record breaks a rule of treatment_rules.
    """
    if isinstance(record, MedicationEvent):
        record.patient_id = record.medication.patient_id
    _lock_person(record.patient_id)
    treatment_rules.check(record)
    _claim_version(record, seen_version)
    _by(record, by).save()
    _changed([record.patient], [KIND_OF[type(record)]])
    return record


@one_bump_at_the_end()
def delete_treatment(record: OralIronCourse | Medication | MedicationEvent) -> None:
    """Delete a course, an event, or a medicine with its events (marked, so that restoring
    the medicine brings them back)."""
    if isinstance(record, Medication):
        for event in record.events.all():
            event._change_reason = DELETED_WITH_MEDICINE
            event.delete()
    record.delete()
    _changed([record.patient], [KIND_OF[type(record)]])


@one_bump_at_the_end()
def add_treatments_in_bulk(
    person: Patient,
    *,
    courses: list[OralIronCourse],
    medications: list[tuple[Medication, list[MedicationEvent]]],
    by=None,
    reason: str = "",
) -> None:
    """Insert imported courses and medicines (each with its events) after checking each
    against the rules, as a form would; raises InvalidRecord, saving nothing."""
    _lock_person(person.pk)
    for course in courses:
        course.patient = person
        treatment_rules.check(course)
        # Later courses of the file are checked against the earlier ones.
        _by(course, by)._change_reason = reason
        course.save()
    for medication, events in medications:
        medication.patient = person
        treatment_rules.check(medication)
        _by(medication, by)._change_reason = reason
        medication.save()
        for event in events:
            event.medication, event.patient = medication, person
            treatment_rules.check(event)
            _by(event, by)._change_reason = reason
            event.save()
    kinds = {ORAL_IRON: courses, MEDICINES: medications}
    _changed([person], [kind for kind, added in kinds.items() if added])
