"""A patient's records as one CSV file (pure: no Django imports).

One row per lab result, infusion or symptom score, told apart by the `record`
column, so the file reads back through rlsapp's own importer (long layout).
Values appear as the lab printed them and as rlsapp stores them.
"""

from __future__ import annotations

import csv
import io
import re

from rlsapp.domain import units

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
    "product",
    "dose (mg)",
    "reaction",
    "severity",
    "onset time",
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


def rows(draws, infusions, symptom_scores):
    """Plain rows (dicts keyed by COLUMNS), oldest first; no neutralising yet."""
    order = list(units.ANALYTES)
    for draw in sorted(draws, key=lambda d: (d.drawn_on, d.pk)):
        for result in sorted(draw.results, key=lambda r: order.index(r.analyte)):
            info = units.ANALYTES[result.analyte]
            yield {
                "record": "lab",
                "date": draw.drawn_on.isoformat(),
                "lab": draw.lab_name,
                "analyte": info.label,
                "loinc": info.loinc,
                "value as entered": result.entered_value,
                "unit as entered": result.entered_unit,
                "stored value": result.comparator + _number(result.value),
                "stored unit": info.display_unit,
                "calculated": "yes" if result.calculated else "",
                "note": draw.note,
            }
    for infusion in sorted(infusions, key=lambda i: (i.given_on, i.pk)):
        yield {
            "record": "infusion",
            "date": infusion.given_on.isoformat(),
            "product": infusion.product_full_name,
            "dose (mg)": infusion.dose_mg,
            "reaction": infusion.reaction,
            "note": infusion.notes,
        }
    for score in sorted(symptom_scores, key=lambda s: (s.recorded_on, s.pk)):
        yield {
            "record": "symptom",
            "date": score.recorded_on.isoformat(),
            "severity": score.severity,
            "onset time": score.onset_time.strftime("%H:%M") if score.onset_time else "",
            "note": score.note,
        }


def write_csv(draws, infusions, symptom_scores) -> str:
    buffer = io.StringIO()
    # Every field quoted, so no reader has to guess where a field holding a separator,
    # a quote or a line break ends.
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    for row in rows(draws, infusions, symptom_scores):
        writer.writerow([neutralise(row.get(column, "")) for column in COLUMNS])
    return buffer.getvalue()
