"""A patient's records as one CSV file (pure: no Django imports).

One row per lab result, infusion or symptom score, told apart by the `record`
column, so the file reads back through rlsapp's own importer (long layout).
Values appear as the lab printed them and as rlsapp stores them.
"""

from __future__ import annotations

import csv
import io
import itertools
import re

from rlsapp.domain import medicines, rules, units

from .csv import FORMULA_PREFIXES
from .fhir_export import fhir_number

COLUMNS = [
    "record",
    "date",
    "lab",
    "analyte",
    "loinc",
    "value as entered",
    "unit as entered",
    "stored value",
    "stored unit",
    "calculated",
    # the draw's: taken after that day's infusion, and left out of the decline fits
    "after infusion",
    "left out of fits",
    "left out note",
    "product",
    "dose (mg)",
    "reaction",
    "severity",
    "onset time",
    # oral iron courses, RLS medicines and their events (issue 17; csv/treatments.py)
    "schedule",
    "vitamin C",
    "end date",
    "why stopped",
    "daily dose",
    "dose unit",
    "event",
    "medicine started",
    "note",
]


# A separator a spreadsheet may split on, then (after spaces) what starts a formula.
_FORMULA_INSIDE = re.compile(r"([;,\t\r\n])(?=[ ]*[=+\-@])")


def neutralise(value) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: make them plain text.

    Also every part of the field that a spreadsheet splitting on ";" (or "," or a tab)
    would read as a cell of its own: "x;=1+1" becomes "x;'=1+1". The importer's
    unneutralise takes the quotes away again.
    """
    text = _FORMULA_INSIDE.sub(r"\1'", "" if value is None else str(value))
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _number(value: float) -> str:
    return str(fhir_number(value))


def _iso(day) -> str:
    return day.isoformat() if day else ""


def _row(record, day, note, columns):
    """One CSV row: every kind has its record name, its date (ISO) and its note."""
    return {"record": record, "date": day.isoformat(), "note": note, **columns}


def treatment_rows(courses, medications):
    """Oral iron courses, then each medicine followed by its events (which name it)."""
    for course in sorted(courses, key=lambda c: (c.started_on, c.pk)):
        schedule = (
            course.schedule_other
            if course.schedule == "other"
            else medicines.SCHEDULES[course.schedule]
        )
        yield _row(
            "oral iron",
            course.started_on,
            course.notes,
            {
                "product": medicines.iron_label(course.product, course.product_other),
                "dose (mg)": _number(course.elemental_mg),
                "schedule": schedule,
                "vitamin C": "yes" if course.with_vitamin_c else "no",
                "end date": _iso(course.ended_on),
                "why stopped": course.stop_reason,
            },
        )
    for medication in sorted(medications, key=lambda m: (m.started_on, m.pk)):
        name = medicines.drug_label(medication.drug, medication.drug_other)
        yield _row(
            "medicine",
            medication.started_on,
            medication.notes,
            {
                "product": name,
                "daily dose": _number(medication.dose),
                "dose unit": medication.dose_unit,
                "end date": _iso(medication.stopped_on),
                "why stopped": medication.stop_reason,
            },
        )
        for event in sorted(medication.events.all(), key=lambda e: (e.happened_on, e.pk)):
            yield _row(
                "medicine event",
                event.happened_on,
                event.note,
                {
                    "product": name,
                    "medicine started": medication.started_on.isoformat(),
                    "event": medicines.EVENT_LABELS[event.kind],
                    "daily dose": "" if event.dose is None else _number(event.dose),
                    "dose unit": medication.dose_unit if event.dose is not None else "",
                },
            )


_LEFT_OUT_WORDS = dict(rules.LEFT_OUT_CHOICES)


def rows(draws, infusions, symptom_scores):
    """Plain rows (dicts keyed by COLUMNS), oldest first; no neutralising yet."""
    order = list(units.ANALYTES)
    for draw in sorted(draws, key=lambda d: (d.drawn_on, d.pk)):
        for result in sorted(draw.results, key=lambda r: order.index(r.analyte)):
            info = units.ANALYTES[result.analyte]
            yield _row(
                "lab",
                draw.drawn_on,
                draw.note,
                {
                    "lab": draw.lab_name,
                    "analyte": info.label,
                    "loinc": info.loinc,
                    "value as entered": result.entered_value,
                    "unit as entered": result.entered_unit,
                    "stored value": result.comparator + _number(result.value),
                    "stored unit": info.display_unit,
                    "calculated": "yes" if result.calculated else "",
                    "after infusion": "yes" if draw.after_infusion else "",
                    "left out of fits": _LEFT_OUT_WORDS.get(draw.left_out_reason, ""),
                    "left out note": draw.left_out_note,
                },
            )
    for infusion in sorted(infusions, key=lambda i: (i.given_on, i.pk)):
        columns = {
            "product": infusion.product_full_name,
            "dose (mg)": infusion.dose_mg,
            "reaction": infusion.reaction,
        }
        yield _row("infusion", infusion.given_on, infusion.notes, columns)
    for score in sorted(symptom_scores, key=lambda s: (s.recorded_on, s.pk)):
        onset = score.onset_time.strftime("%H:%M") if score.onset_time else ""
        columns = {"severity": score.severity, "onset time": onset}
        yield _row("symptom", score.recorded_on, score.note, columns)


def write_csv(draws, infusions, symptom_scores, courses=(), medications=()) -> str:
    buffer = io.StringIO()
    # Every field quoted, so no reader has to guess where a field holding a separator,
    # a quote or a line break ends.
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    for row in itertools.chain(
        rows(draws, infusions, symptom_scores), treatment_rows(courses, medications)
    ):
        writer.writerow([neutralise(row.get(column, "")) for column in COLUMNS])
    return buffer.getvalue()
