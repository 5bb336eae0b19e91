"""A person's records for a spreadsheet, written the account's region's way (issue 11).

For people who open the file in Excel or LibreOffice: dates and numbers as their region
writes them (20.10.2026, 13,1), and in regions that write a decimal comma the ";"
separator those programs expect there. Values carry no grouping separator, so the
spreadsheet reads them as numbers. This file is for reading, not for re-import: the CSV
export stays canonical (decimal point, ISO dates, stored values) and reads back.
Pure: no Django imports.
"""

from __future__ import annotations

import csv
import io

from rlsapp.domain import conventions, formats, rules, units
from rlsapp.domain.regions import Region

from .csv_export import neutralise

COLUMNS = [
    "Date",
    "Record",
    "Lab",
    "Test",
    "Value",
    "Unit",
    "As the lab printed it",
    "Calculated",
    "Product",
    "Dose (mg)",
    "Reaction",
    "Severity (0-10)",
    "Symptoms began",
    "Note",
    # As the CSV export names them (and the import reads them back): a ferritin left out of
    # the fits by hand is not a number to read as the others.
    "Left out of fits",
    "Left out note",
]
_LEFT_OUT_WORDS = dict(rules.LEFT_OUT_CHOICES)


def separator(region: Region) -> str:
    """';' where a decimal comma is written (a spreadsheet there splits on ';'), else ','."""
    return ";" if conventions.convention_of(region) == "comma" else ","


def _rows(draws, infusions, symptom_scores, region: Region):
    order = list(units.ANALYTES)

    def number(value, decimals):
        return formats.format_decimal(value, region, decimals, grouping=False)

    for draw in sorted(draws, key=lambda d: (d.drawn_on, d.pk)):
        for result in sorted(draw.results, key=lambda r: order.index(r.analyte)):
            info = units.ANALYTES[result.analyte]
            symbol = dict(units.COMPARATOR_CHOICES).get(result.comparator, "")
            yield (
                draw.drawn_on,
                {
                    "Record": "lab result",
                    "Lab": draw.lab_name,
                    "Test": info.label,
                    "Value": (symbol if result.comparator else "")
                    + number(result.value, info.decimals + 1),
                    "Unit": info.display_unit,
                    "As the lab printed it": f"{result.entered_value} {result.entered_unit}",
                    "Calculated": "yes" if result.calculated else "",
                    "Note": draw.note,
                    "Left out of fits": _LEFT_OUT_WORDS.get(draw.left_out_reason, ""),
                    "Left out note": draw.left_out_note,
                },
            )
    for infusion in infusions:
        yield (
            infusion.given_on,
            {
                "Record": "infusion",
                "Product": infusion.product_full_name,
                "Dose (mg)": number(infusion.dose_mg, 1),
                "Reaction": infusion.reaction,
                "Note": infusion.notes,
            },
        )
    for score in symptom_scores:
        yield (
            score.recorded_on,
            {
                "Record": "symptom score",
                "Severity (0-10)": str(score.severity),
                "Symptoms began": score.onset_time.strftime("%H:%M") if score.onset_time else "",
                "Note": score.note,
            },
        )


def write_spreadsheet(draws, infusions, symptom_scores, region: Region) -> str:
    """The file's text, oldest first, with a byte-order mark so Excel reads it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, delimiter=separator(region), lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL
    )
    writer.writerow(COLUMNS)
    rows = sorted(_rows(draws, infusions, symptom_scores, region), key=lambda pair: pair[0])
    for day, row in rows:
        row["Date"] = formats.format_date(day, region)
        writer.writerow([neutralise(row.get(column, "")) for column in COLUMNS])
    return "\ufeff" + buffer.getvalue()
