"""Oral iron courses and RLS medicines as FHIR R4 MedicationStatements, out and back in
(pure: no Django imports).

A course or a medicine is one MedicationStatement: the product with its RxNorm code where
rlsapp knows one (domain/medicines.py), `effectivePeriod` from start to end (no end: still
taken, status active), why it stopped in `statusReason`. Which of the two it is, is in
`category.text`. A course's dosage is the elemental iron per dose by mouth, daily
(period 1 day) or every other day (period 2 days), or the schedule as text, with vitamin
C as an additional instruction. A medicine's dosages are its starting daily dose, then one
per dose change, each bounded from its date; its other dated events (augmentation, side
effects) are notes with their date in `time`, e.g. "Augmentation: symptoms from 3 pm".

Reading takes back what writing gives, and from other apps a MedicationStatement taken by
mouth whose medicine is a listed oral iron, or whose medicine is a listed RLS medicine (by
RxNorm code or name); others are left to the infusion reader.
"""

from __future__ import annotations

import datetime
import re

from rlsapp.domain import medicines

from .parsed_treatments import ParsedCourse, ParsedEvent, ParsedMedicine
from .vocab import SNOMED_SYSTEM, UCUM_SYSTEM

COURSE_CATEGORY = "Oral iron course"
MEDICINE_CATEGORY = "RLS medicine"
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/medication-statement-category"
SNOMED_ORAL = "26643006"
VITAMIN_C = "With vitamin C"
ELEMENTAL = "elemental iron"
STARTING_DOSE = "Starting dose"
DOSE_CHANGED = medicines.EVENT_LABELS[medicines.DOSE_CHANGE]
PERIOD_DAYS = {"daily": 1, "alternate": 2}
MAX_TEXT = 120
MAX_NOTE = 2000


def _number(value: float) -> float | int:
    rounded = round(value, 6)
    return int(rounded) if rounded == int(rounded) else rounded


def _concept(label: str, rxnorm: str) -> dict:
    concept: dict = {}
    if rxnorm:
        concept["coding"] = [{"system": medicines.RXNORM_SYSTEM, "code": rxnorm, "display": label}]
    concept["text"] = label
    return concept


def _category(text: str) -> dict:
    return {"coding": [{"system": CATEGORY_SYSTEM, "code": "patientspecified"}], "text": text}


def _period(start: datetime.date, end: datetime.date | None) -> dict:
    period = {"start": start.isoformat()}
    if end:
        period["end"] = end.isoformat()
    return period


def _quantity(value: float, unit: str) -> dict:
    code = medicines.UCUM[unit]
    return {"value": _number(value), "unit": code, "system": UCUM_SYSTEM, "code": code}


ORAL_ROUTE = {
    "coding": [{"system": SNOMED_SYSTEM, "code": SNOMED_ORAL, "display": "Oral route"}],
    "text": "By mouth",
}


def course_statement(course, subject: str) -> dict:
    label = medicines.iron_label(course.product, course.product_other)
    resource = {
        "resourceType": "MedicationStatement",
        "status": "completed" if course.ended_on else "active",
        "category": _category(COURSE_CATEGORY),
        "medicationCodeableConcept": _concept(label, ""),
        "subject": {"reference": subject},
        "effectivePeriod": _period(course.started_on, course.ended_on),
    }
    if course.stop_reason:
        resource["statusReason"] = [{"text": course.stop_reason}]
    if course.notes:
        resource["note"] = [{"text": course.notes}]
    schedule = (
        course.schedule_other
        if course.schedule == "other"
        else medicines.SCHEDULES[course.schedule].lower()
    )
    dosage: dict = {
        "text": f"{_number(course.elemental_mg)} mg {ELEMENTAL}, {schedule}",
        "route": ORAL_ROUTE,
    }
    if course.schedule in PERIOD_DAYS:
        repeat = {"frequency": 1, "period": PERIOD_DAYS[course.schedule], "periodUnit": "d"}
        dosage["timing"] = {"repeat": repeat}
    else:
        dosage["timing"] = {"code": {"text": course.schedule_other}}
    if course.with_vitamin_c:
        dosage["additionalInstruction"] = [{"text": VITAMIN_C}]
    dosage["doseAndRate"] = [{"doseQuantity": _quantity(course.elemental_mg, medicines.MG)}]
    resource["dosage"] = [dosage]
    return resource


def medicine_statement(medication, events, subject: str) -> dict:
    drug = medicines.DRUGS.get(medication.drug)
    label = medicines.drug_label(medication.drug, medication.drug_other)
    resource = {
        "resourceType": "MedicationStatement",
        "status": "completed" if medication.stopped_on else "active",
        "category": _category(MEDICINE_CATEGORY),
        "medicationCodeableConcept": _concept(label, drug.rxnorm if drug else ""),
        "subject": {"reference": subject},
        "effectivePeriod": _period(medication.started_on, medication.stopped_on),
    }
    if medication.stop_reason:
        resource["statusReason"] = [{"text": medication.stop_reason}]
    notes = [{"text": medication.notes}] if medication.notes else []
    events = sorted(events, key=lambda e: (e.happened_on, e.pk or 0))
    changes = [e for e in events if e.kind == medicines.DOSE_CHANGE]
    starts = [(medication.started_on, medication.dose, STARTING_DOSE)] + [
        (e.happened_on, e.dose, DOSE_CHANGED + (f": {e.note}" if e.note else "")) for e in changes
    ]
    dosages = []
    for i, (start, dose, text) in enumerate(starts):
        following = starts[i + 1][0] if i + 1 < len(starts) else medication.stopped_on
        bounds = {"start": start.isoformat()}
        if i + 1 < len(starts) or medication.stopped_on:
            bounds["end"] = following.isoformat()
        dosages.append(
            {
                "sequence": i + 1,
                "text": text,
                "timing": {"repeat": {"boundsPeriod": bounds}},
                "doseAndRate": [{"doseQuantity": _quantity(dose, medication.dose_unit)}],
            }
        )
    for event in events:
        if event.kind != medicines.DOSE_CHANGE:
            label_ = medicines.EVENT_LABELS[event.kind]
            text = f"{label_}: {event.note}" if event.note else label_
            notes.append({"time": event.happened_on.isoformat(), "text": text})
    if notes:
        resource["note"] = notes
    resource["dosage"] = dosages
    return resource


# Reading ------------------------------------------------------------------------------


class StatementError(ValueError):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


# What no database column can hold (parsed.py removes it from the other records' text).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _text(value, limit=MAX_NOTE) -> str:
    return _UNSTORABLE.sub("", value).strip()[:limit] if isinstance(value, str) else ""


def _list(value) -> list:
    """A FHIR array as read, or [] for anything else (a file may hold any JSON there)."""
    return value if isinstance(value, list) else []


def _names_and_codes(resource) -> tuple[list[str], set[str]]:
    concept = resource.get("medicationCodeableConcept")
    names, codes = [], set()
    if isinstance(concept, dict):
        names.append(_text(concept.get("text"), MAX_TEXT))
        for coding in _list(concept.get("coding")):
            if isinstance(coding, dict):
                names.append(_text(coding.get("display"), MAX_TEXT))
                if coding.get("system") == medicines.RXNORM_SYSTEM:
                    codes.add(str(coding.get("code")))
    return [n for n in names if n], codes


def _drug(names, codes) -> str | None:
    """The listed medicine named by an RxNorm code or a name, else None."""
    for code in codes:
        if found := medicines.drug_code_for(rxnorm=code):
            return found
    return next((found for n in names if (found := medicines.drug_code_for(n))), None)


def _category_text(resource) -> str:
    category = resource.get("category")
    return _text(category.get("text"), 40) if isinstance(category, dict) else ""


def _by_mouth(resource) -> bool:
    for dosage in _list(resource.get("dosage")):
        route = dosage.get("route") if isinstance(dosage, dict) else None
        if isinstance(route, dict):
            codes = {str(c.get("code")) for c in _list(route.get("coding")) if isinstance(c, dict)}
            if SNOMED_ORAL in codes or "mouth" in _text(route.get("text")).lower():
                return True
            if "oral" in _text(route.get("text")).lower():
                return True
    return False


def kind_of(resource: dict) -> str | None:
    """'course', 'medicine', or None when the statement is neither (an infusion, say)."""
    category = _category_text(resource)
    if category == COURSE_CATEGORY:
        return "course"
    if category == MEDICINE_CATEGORY:
        return "medicine"
    names, codes = _names_and_codes(resource)
    if _drug(names, codes):
        return "medicine"
    if _by_mouth(resource) and any(medicines.iron_code_for(n) for n in names):
        return "course"
    return None


def _day(value, field_name, read_date) -> datetime.date:
    if not isinstance(value, str) or not value.strip():
        raise StatementError(field_name, "a date is required (YYYY-MM-DD).")
    return read_date(value.strip()[:10], field_name)


def _period_dates(resource, read_date):
    period = resource.get("effectivePeriod")
    if not isinstance(period, dict):
        raise StatementError("effectivePeriod", "a start date is required (effectivePeriod).")
    start = _day(period.get("start"), "effectivePeriod.start", read_date)
    end = period.get("end")
    end = _day(end, "effectivePeriod.end", read_date) if end else None
    problems = medicines.period_problems(start, end, datetime.date.max)
    if "end" in problems:
        raise StatementError("effectivePeriod.end", problems["end"])
    return start, end


def _dose(dosage, field_name) -> tuple[float, str]:
    rates = dosage.get("doseAndRate") if isinstance(dosage, dict) else None
    first = rates[0] if isinstance(rates, list) and rates and isinstance(rates[0], dict) else {}
    quantity = first.get("doseQuantity")
    if not isinstance(quantity, dict):
        raise StatementError(field_name, "a dose (doseQuantity) is required.")
    value = quantity.get("value")
    unit = medicines.UNIT_FROM_UCUM.get(str(quantity.get("code") or quantity.get("unit")))
    if isinstance(value, bool) or not isinstance(value, (int, float)) or unit is None:
        accepted = ", ".join(medicines.UCUM.values())
        raise StatementError(field_name, f"the dose must be a number in {accepted}.")
    return float(value), unit


def _stop_reason(resource) -> str:
    reasons = resource.get("statusReason")
    if isinstance(reasons, list) and reasons and isinstance(reasons[0], dict):
        return _text(reasons[0].get("text"), 200)
    return ""


def read_course(number: int, resource: dict, read_date) -> ParsedCourse:
    names, _codes = _names_and_codes(resource)
    label = names[0] if names else ""
    product = next((code for n in names if (code := medicines.iron_code_for(n))), "other")
    if product == "other" and not label:
        raise StatementError("medicationCodeableConcept", "the product is not named.")
    start, end = _period_dates(resource, read_date)
    dosages = resource.get("dosage")
    dosage = dosages[0] if isinstance(dosages, list) and dosages else {}
    dosage = dosage if isinstance(dosage, dict) else {}
    mg, unit = _dose(dosage, "dosage.doseAndRate")
    if unit != medicines.MG or (problem := medicines.elemental_problem(mg)):
        raise StatementError("dosage.doseAndRate", problem or "elemental iron is given in mg.")
    timing = dosage.get("timing") if isinstance(dosage.get("timing"), dict) else {}
    repeat = timing.get("repeat") if isinstance(timing.get("repeat"), dict) else {}
    schedule, schedule_other = "other", ""
    for code, days in PERIOD_DAYS.items():
        if repeat.get("period") == days and repeat.get("periodUnit") == "d":
            schedule = code
    if schedule == "other":
        code = timing.get("code")
        schedule_other = _text(code.get("text"), MAX_TEXT) if isinstance(code, dict) else ""
        schedule_other = schedule_other or _text(dosage.get("text"), MAX_TEXT) or "not stated"
    instructions = _list(dosage.get("additionalInstruction"))
    vitamin_c = any(
        isinstance(i, dict) and _text(i.get("text")).lower() == VITAMIN_C.lower()
        for i in instructions
    )
    notes = [n for n in _list(resource.get("note")) if isinstance(n, dict)]
    return ParsedCourse(
        rows=[number],
        product=product,
        product_other=label[:MAX_TEXT] if product == "other" else "",
        elemental_mg=mg,
        schedule=schedule,
        schedule_other=schedule_other,
        with_vitamin_c=vitamin_c,
        started_on=start,
        ended_on=end,
        stop_reason=_stop_reason(resource),
        notes="\n".join(_text(n.get("text")) for n in notes if _text(n.get("text"))),
    )


def _event_note(text: str) -> tuple[str, str]:
    """('augmentation', 'symptoms from 3 pm') from 'Augmentation: symptoms from 3 pm'."""
    head, _, rest = text.partition(":")
    kind = medicines.event_code_for(head)
    if kind and kind != medicines.DOSE_CHANGE:
        return kind, rest.strip()
    return medicines.OTHER_EVENT, text


def read_medicine(number: int, resource: dict, read_date) -> ParsedMedicine:
    names, codes = _names_and_codes(resource)
    drug = _drug(names, codes)
    if drug is None and not names:
        raise StatementError("medicationCodeableConcept", "the medicine is not named.")
    drug = drug or "other"
    start, stop = _period_dates(resource, read_date)
    dosages = [d for d in _list(resource.get("dosage")) if isinstance(d, dict)]
    if not dosages:
        raise StatementError("dosage", "a dose (dosage.doseAndRate) is required.")
    dosages.sort(key=lambda d: d.get("sequence") if isinstance(d.get("sequence"), int) else 0)
    dose, unit = _dose(dosages[0], "dosage.doseAndRate")
    if problem := medicines.dose_problem(drug, dose, unit):
        raise StatementError("dosage.doseAndRate", problem)
    events = []
    for i, dosage in enumerate(dosages[1:], start=2):
        timing = dosage.get("timing") if isinstance(dosage.get("timing"), dict) else {}
        repeat = timing.get("repeat") if isinstance(timing.get("repeat"), dict) else {}
        bounds = repeat.get("boundsPeriod") if isinstance(repeat.get("boundsPeriod"), dict) else {}
        day = _day(bounds.get("start"), f"dosage[{i}].timing", read_date)
        new_dose, new_unit = _dose(dosage, f"dosage[{i}].doseAndRate")
        if new_unit != unit or (problem := medicines.dose_problem(drug, new_dose, unit)):
            raise StatementError(f"dosage[{i}].doseAndRate", problem or f"not in {unit}.")
        _, _, note = _text(dosage.get("text")).partition(":")
        events.append(ParsedEvent(day, medicines.DOSE_CHANGE, new_dose, note.strip()))
    notes = []
    for note in _list(resource.get("note")):
        text = _text(note.get("text")) if isinstance(note, dict) else ""
        if not text:
            continue
        if note.get("time"):
            kind, rest = _event_note(text)
            events.append(ParsedEvent(_day(note["time"], "note.time", read_date), kind, None, rest))
        else:
            notes.append(text)
    for event in events:
        if problem := medicines.event_problem(event.happened_on, start, stop):
            raise StatementError("note.time", problem)
    events.sort(key=lambda e: e.happened_on)
    return ParsedMedicine(
        rows=[number],
        drug=drug,
        drug_other=names[0][:MAX_TEXT] if drug == "other" else "",
        dose=dose,
        dose_unit=unit,
        started_on=start,
        stopped_on=stop,
        stop_reason=_stop_reason(resource),
        notes="\n".join(notes),
        events=events,
    )
