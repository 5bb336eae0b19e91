"""Oral iron courses, RLS medicines and their dated events from CSV rows (pure; issue 17).

rlsapp's own export writes one row per course ("oral iron"), per medicine ("medicine")
and per event of a medicine ("medicine event"), told apart by the `record` column:

- oral iron: date (start), product, dose (mg) = elemental iron per dose, schedule,
  vitamin C, end date (blank: ongoing), why stopped, note;
- medicine: date (start), product (the medicine), daily dose, dose unit, end date (blank:
  still taken), why stopped, note;
- medicine event: date, product (its medicine), medicine started (its start date, which
  with the name finds the medicine above in the file), event, daily dose (the new dose of
  a dose change), note.

Every cell is checked with the rules of rlsapp.domain.medicines; a row with an error is
reported by row and column and nothing of it is kept.
"""

from __future__ import annotations

import datetime

from rlsapp.domain import medicines

from ..dates import DateError, parse_date
from ..parsed import ParsedImport
from ..parsed_treatments import ParsedCourse, ParsedEvent, ParsedMedicine

KINDS = {"oral_iron", "medicine", "medicine_event"}
# The columns these rows add to rlsapp's export (headers.ROLE_HEADERS maps them).
ROLE_HEADERS = {
    "end": {"end date", "stop date", "stopped on", "ended on"},
    "schedule": {"schedule"},
    "vitamin_c": {"vitamin c", "with vitamin c"},
    "stop_reason": {"why stopped", "stop reason", "reason stopped"},
    "daily_dose": {"daily dose"},
    "dose_unit": {"dose unit"},
    "event": {"event"},
    "medicine_started": {"medicine started"},
}
CELL_LIMITS = {
    "end": 32,
    "schedule": 120,
    "vitamin_c": 16,
    "stop_reason": 200,
    "daily_dose": 32,
    "dose_unit": 16,
    "event": 32,
    "medicine_started": 32,
}
MAX_NAME = 120
MAX_NOTE = 5000
YES = {"yes", "y", "true", "1", "ja", "oui", "x"}


class RowProblem(ValueError):
    def __init__(self, role: str, label: str, message: str):
        super().__init__(message)
        self.role, self.label = role, label


def _number(text: str, role: str, label: str) -> float:
    text = text.strip()
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        raise RowProblem(role, label, f"{text!r} read; enter a number.") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise RowProblem(role, label, f"{text!r} read; enter a number.")
    return value


class TreatmentReader:
    def __init__(self, cols, out: ParsedImport, date_order: str, today: datetime.date, locale="en"):
        self.cols, self.out, self.order, self.today = cols, out, date_order, today
        self.locale = locale

    def _cell(self, row, role) -> str:
        return self.cols.text(row, role)

    def _date(self, row, role, label, required=False) -> datetime.date | None:
        text = self._cell(row, role)
        if not text:
            if required:
                raise RowProblem(role, label, "a date is required.")
            return None
        try:
            return parse_date(text, self.order, self.today, self.locale)
        except DateError as error:
            raise RowProblem(role, label, str(error)) from None

    def _end(self, row, start) -> datetime.date | None:
        end = self._date(row, "end", "End date")
        problems = medicines.period_problems(start, end, self.today)
        if "end" in problems:
            raise RowProblem("end", "End date", problems["end"])
        return end

    def _period(self, number, row, day, end_field) -> dict:
        """What a course and a medicine read alike: the row, when it started and ended (under
        `end_field`), why it stopped and the note."""
        return {
            "rows": [number],
            "started_on": day,
            end_field: self._end(row, day),
            "stop_reason": self._cell(row, "stop_reason")[:200],
            "notes": self._cell(row, "note")[:MAX_NOTE],
        }

    def _name(self, row) -> str:
        name = self._cell(row, "product")
        if not name:
            raise RowProblem("product", "Product", "name the iron product or the medicine.")
        if len(name) > MAX_NAME:
            raise RowProblem("product", "Product", f"at most {MAX_NAME} characters.")
        return name

    def read(self, number: int, row: list[str], day: datetime.date, kind: str) -> None:
        try:
            if kind == "oral_iron":
                self.out.courses.append(self._course(number, row, day))
            elif kind == "medicine":
                self.out.medicines.append(self._medicine(number, row, day))
            else:
                self._event(row, day)
        except RowProblem as problem:
            header = (
                self.cols.header(problem.role) if problem.role in self.cols.roles else problem.label
            )
            self.out.error(number, header, str(problem))

    def _course(self, number, row, day) -> ParsedCourse:
        name = self._name(row)
        product = medicines.iron_code_for(name) or "other"
        mg = _number(self._cell(row, "dose"), "dose", "Dose (mg)")
        if problem := medicines.elemental_problem(mg):
            raise RowProblem("dose", "Dose (mg)", problem + ".")
        schedule_text = self._cell(row, "schedule")[:MAX_NAME]
        schedule = medicines.schedule_code_for(schedule_text) or "other"
        if schedule == "other" and not schedule_text:
            raise RowProblem("schedule", "Schedule", "daily, every other day, or describe it.")
        return ParsedCourse(
            product=product,
            product_other=name if product == "other" else "",
            elemental_mg=mg,
            schedule=schedule,
            schedule_other=schedule_text if schedule == "other" else "",
            with_vitamin_c=self._cell(row, "vitamin_c").casefold() in YES,
            **self._period(number, row, day, "ended_on"),
        )

    def _dose(self, row, drug) -> tuple[float, str]:
        dose = _number(self._cell(row, "daily_dose"), "daily_dose", "Daily dose")
        unit_text = self._cell(row, "dose_unit") or medicines.MG
        unit = medicines.unit_code_for(unit_text)
        if unit is None:
            accepted = ", ".join(medicines.UNIT_LABELS.values())
            raise RowProblem("dose_unit", "Dose unit", f"{unit_text!r} read; use {accepted}.")
        if problem := medicines.dose_problem(drug, dose, unit):
            raise RowProblem("daily_dose", "Daily dose", problem + ".")
        return dose, unit

    def _medicine(self, number, row, day) -> ParsedMedicine:
        name = self._name(row)
        drug = medicines.drug_code_for(name) or "other"
        dose, unit = self._dose(row, drug)
        return ParsedMedicine(
            drug=drug,
            drug_other=name if drug == "other" else "",
            dose=dose,
            dose_unit=unit,
            **self._period(number, row, day, "stopped_on"),
        )

    def _event(self, row, day) -> None:
        name = self._name(row)
        drug = medicines.drug_code_for(name) or "other"
        started = self._date(row, "medicine_started", "Medicine started", required=True)
        medicine = next(
            (
                m
                for m in reversed(self.out.medicines)
                if m.started_on == started
                and m.drug == drug
                and (drug != "other" or m.drug_other.casefold() == name.casefold())
            ),
            None,
        )
        if medicine is None:
            raise RowProblem(
                "medicine_started",
                "Medicine started",
                f"no {name} started on {started:%Y-%m-%d} above this row: an event follows "
                "the row of its medicine.",
            )
        event_text = self._cell(row, "event")
        kind = medicines.event_code_for(event_text)
        if kind is None:
            accepted = ", ".join(medicines.EVENT_LABELS.values())
            raise RowProblem("event", "Event", f"{event_text!r} read; use {accepted}.")
        dose = None
        if kind == medicines.DOSE_CHANGE:
            dose, unit = self._dose(row, drug)
            if unit != medicine.dose_unit:
                raise RowProblem(
                    "dose_unit", "Dose unit", f"the medicine is in {medicine.dose_unit}."
                )
        if problem := medicines.event_problem(day, medicine.started_on, medicine.stopped_on):
            raise RowProblem("date", "Date", problem)
        medicine.events.append(ParsedEvent(day, kind, dose, self._cell(row, "note")[:MAX_NOTE]))
