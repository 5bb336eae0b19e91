"""The chart as a table (issue 16 item 5): every test and symptom score by date.

Read from the same chart history as the chart (queries.load_history: one query whatever
the length), so the table holds what the chart draws. Server-rendered rather than built
by the chart's script: it then works without JavaScript or when the CDN is down (the
chart's error message points here), and writes numbers and dates the account's region's
way (issue 11) as every other page does.
"""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from rlsapp.domain import formats, units
from rlsapp.tracking import fit_inputs
from rlsapp.tracking.access import get_patient_for_user

from .queries import History, load_history

SYMBOLS = dict(units.COMPARATOR_CHOICES)


@dataclass
class Row:
    day: date
    values: dict = field(default_factory=dict)  # analyte code -> [text, ...]
    left_out: dict = field(default_factory=dict)  # analyte code -> why left out of the fits
    scores: list = field(default_factory=list)
    infusions: list = field(default_factory=list)


def _value(result, region, threshold=None):
    # Never rounded onto or across a limit (units.shown_decimals).
    decimals = units.shown_decimals(result.analyte, result.value, threshold)
    symbol = SYMBOLS.get(result.comparator, "") if result.comparator else ""
    return symbol + formats.format_decimal(result.value, region, decimals)


def build_table(history: History, region, patient=None) -> dict:
    """Columns (the analytes measured, in the app's order) and rows, newest day first; a
    ferritin left out of the fits says why in the chart's words (tracking.fit_inputs: by
    hand, or during an oral iron course when the person's setting says so)."""
    rows: dict[date, Row] = {}
    courses = history.treatments.courses if patient is not None else ()
    periods = fit_inputs.left_out_periods(patient, courses) if courses else []
    threshold = patient.ferritin_threshold if patient is not None else None

    def row(day):
        return rows.setdefault(day, Row(day))

    for result in history.results:
        r = row(result.day)
        r.values.setdefault(result.analyte, []).append(_value(result, region, threshold))
        if result.analyte == "ferritin":
            words = fit_inputs.left_out_words(
                result.day, result.left_out_reason, result.left_out_note, periods
            )
            if words:
                r.left_out[result.analyte] = words
    for day, severity in history.scores:
        row(day).scores.append(str(severity))
    for infusion in history.infusions:
        row(infusion.day).infusions.append(infusion.label)
    measured = {result.analyte for result in history.results}
    columns = [
        {"code": code, "label": a.label, "unit": a.display_unit}
        for code, a in units.ANALYTES.items()
        if code in measured
    ]
    ordered = sorted(rows.values(), key=lambda r: r.day, reverse=True)
    return {
        "columns": columns,
        "rows": [
            {
                "date": formats.format_date(r.day, region),
                "iso": r.day.isoformat(),
                "cells": [
                    {
                        "text": " / ".join(r.values.get(c["code"], [])),
                        "left_out": r.left_out.get(c["code"], ""),
                    }
                    for c in columns
                ],
                "score": " / ".join(r.scores),
                "infusions": r.infusions,
            }
            for r in ordered
        ],
        "has_scores": bool(history.scores),
        "has_infusions": bool(history.infusions),
    }


@never_cache
@login_required
@require_GET
def results_table(request, pk):
    patient = get_patient_for_user(request, pk)
    table = build_table(load_history(patient), request.user.region_rules, patient)
    return render(request, "charts/results_table.html", {"patient": patient, "table": table})
