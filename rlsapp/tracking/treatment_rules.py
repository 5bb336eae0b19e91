"""The rules an oral iron course, a medicine or a medicine's event must meet before it is
saved, by field: the forms show them and the services refuse to save without them met, so
every way in (form, import, admin) keeps the same rules. Pure rules from
rlsapp.domain.medicines, plus the one that needs the database: courses of the same product
may not overlap.
"""

from django.utils import timezone

from rlsapp.domain import medicines, rules

from .treatments import Medication, MedicationEvent, OralIronCourse


class InvalidRecord(ValueError):
    """The record breaks a rule; `problems` maps each field to its message."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


def _period(problems, start_field, end_field, start, end, today, write):
    found = medicines.period_problems(start, end, today, write)
    if "start" in found:
        problems[start_field] = found["start"]
    if "end" in found:
        problems[end_field] = found["end"]


def course_problems(course: OralIronCourse, today=None, write=rules.iso_date) -> dict[str, str]:
    """`write` writes the dates the messages name (a form's: as the person types them)."""
    today = today or timezone.localdate()
    problems: dict[str, str] = {}
    if course.started_on:
        start, end = course.started_on, course.ended_on
        _period(problems, "started_on", "ended_on", start, end, today, write)
    if problem := _other_problem(course, course.product, course.product_other, _IRON_LIST):
        problems["product_other"] = problem
    if course.schedule == "other" and not course.schedule_other.strip():
        problems["schedule_other"] = "Describe the schedule when you choose “Other”."
    if course.elemental_mg is not None and (
        problem := medicines.elemental_problem(course.elemental_mg)
    ):
        problems["elemental_mg"] = f"Elemental iron per dose: {problem}."
    dates_valid = not problems.keys() & {"started_on", "ended_on"}
    if course.started_on and dates_valid and (other := _overlapping(course)):
        end = write(other.ended_on) if other.ended_on else "ongoing"
        problems["started_on"] = (
            f"Overlaps the {other.product_label} course from {write(other.started_on)} "
            f"({end}): courses of the same product may not overlap. Change that course's "
            "end date, or these dates."
        )
    return problems


def _overlapping(course: OralIronCourse) -> OralIronCourse | None:
    """The first saved course of the same product (an "other" one: of the same name) whose
    dates overlap this one's."""
    name = course.product_other.strip().casefold()
    same = OralIronCourse.objects.filter(
        patient_id=course.patient_id, product=course.product
    ).exclude(pk=course.pk)
    for other in same:
        if course.product == "other" and other.product_other.strip().casefold() != name:
            continue
        if medicines.overlaps(course.started_on, course.ended_on, other.started_on, other.ended_on):
            return other
    return None


# For an "Other" choice: (the noun, the code of a name, the label of a code, why the list
# matters).
_IRON_LIST = (
    "product",
    medicines.iron_code_for,
    medicines.iron_label,
    "courses of the same product may not overlap",
)
_DRUG_LIST = (
    "medicine",
    medicines.drug_code_for,
    medicines.drug_label,
    "its dose limits and, for a dopamine agonist, the augmentation note go with it",
)


def _other_problem(record, chosen, name, listing) -> str | None:
    """What is wrong with an "Other" choice: no name, or the name of one in the list."""
    noun, code_for, label_of, why = listing
    if chosen != "other":
        return None
    if not name.strip():
        return f"Name the {noun} when you choose “Other”."
    if listed := _listed(record, code_for):
        return f"{label_of(listed)} is in the list: choose it as the {noun} ({why})."
    return None


def _listed(record, code_for) -> str | None:
    """The listed product or medicine a new record's "other" name is ('Mirapex': pramipexole),
    or None. Records saved before this rule keep their name (an edit or a restore of one
    is not refused for it)."""
    if record.pk is not None:
        return None
    name = record.product_other if isinstance(record, OralIronCourse) else record.drug_other
    return code_for(name)


def medication_problems(medication: Medication, today=None, write=rules.iso_date) -> dict[str, str]:
    today = today or timezone.localdate()
    problems: dict[str, str] = {}
    start, stop = medication.started_on, medication.stopped_on
    if start:
        _period(problems, "started_on", "stopped_on", start, stop, today, write)
    if problem := _other_problem(medication, medication.drug, medication.drug_other, _DRUG_LIST):
        problems["drug_other"] = problem
    if medication.drug and medication.dose is not None:
        problem = medicines.dose_problem(medication.drug, medication.dose, medication.dose_unit)
        if problem:
            problems["dose"] = f"Starting dose: {problem}."
    if medication.pk and start and not problems.keys() & {"started_on", "stopped_on"}:
        events = MedicationEvent.objects.filter(medication_id=medication.pk)
        outside = next(
            (e for e in events if medicines.event_problem(e.happened_on, start, stop)), None
        )
        if outside is not None:
            field = "started_on" if outside.happened_on < start else "stopped_on"
            problems[field] = (
                f"The event “{outside.what} on {write(outside.happened_on)}” would fall "
                "outside the time taken: change or "
                "delete that event first, or choose dates that include it."
            )
    return problems


def event_problems(event: MedicationEvent, today=None, write=rules.iso_date) -> dict[str, str]:
    today = today or timezone.localdate()
    problems: dict[str, str] = {}
    medication = event.medication
    if event.patient_id is not None and event.patient_id != medication.patient_id:
        problems["medication"] = "This medicine belongs to another person."
    if event.happened_on:
        problem = rules.date_problem(event.happened_on, today, write)
        problem = (
            f"Date {problem}."
            if problem
            else medicines.event_problem(
                event.happened_on, medication.started_on, medication.stopped_on, write
            )
        )
        if problem:
            problems["happened_on"] = problem
    if event.kind == medicines.DOSE_CHANGE:
        if event.dose is None:
            problems["dose"] = "Enter the new dose for a dose change."
        elif problem := medicines.dose_problem(medication.drug, event.dose, medication.dose_unit):
            problems["dose"] = f"New dose: {problem}."
    elif event.dose is not None:
        problems["dose"] = "A dose belongs only to a dose change: leave it blank."
    return problems


PROBLEMS_OF = {
    OralIronCourse: course_problems,
    Medication: medication_problems,
    MedicationEvent: event_problems,
}


def check(record) -> None:
    problems = PROBLEMS_OF[type(record)](record)
    if problems:
        raise InvalidRecord(problems)
