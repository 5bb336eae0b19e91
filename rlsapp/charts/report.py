"""The printed report's results table: the iron tests over time, each flagged in words.

Built from the chart history already loaded (charts/queries.py), so the report's query
count stays the same however long the history is. The table keeps the newest rows only:
the report is meant to fit one or two printed pages, and every result stays in the app.
"""

from rlsapp.domain import formats, regions, units
from rlsapp.domain.result_flags import AFTER
from rlsapp.tracking.fit_inputs import flag_result

from .queries import History

# The tests a clinician reads for iron treatment in RLS, in the order of the table.
ANALYTES = ("ferritin", "tsat", "hemoglobin", "hematocrit", "phosphate")
# At most this many newest draws, infusions listed with their reactions and compared by
# their declines; fewer when the tables together would take more than two printed pages
# (charts/printed.py).
MAX_ROWS = 12
MAX_INFUSIONS = 6
MAX_EPISODES = 4
SYMBOLS = dict(units.COMPARATOR_CHOICES) | {"": ""}


def _range_text(code, sex, region):
    analyte = units.ANALYTES[code]
    low, high = analyte.reference_range(sex)

    def number(v):
        return formats.format_decimal(v, region, analyte.decimals)

    return f"{number(low)}–{number(high)}"


def columns(patient, region):
    result = []
    for code in ANALYTES:
        analyte = units.ANALYTES[code]
        result.append(
            {
                "code": code,
                "label": analyte.short_label or analyte.label,
                "title": analyte.label,
                "unit": analyte.display_unit,
                "range": _range_text(code, patient.sex, region),
            }
        )
    return result


def _flag(r, patient, infusion_days):
    return flag_result(
        patient, r.analyte, r.value, r.comparator, r.day, r.after_infusion, infusion_days
    )


def draws_of(history: History):
    """Results grouped into draws, oldest first (rows come ordered by day, then draw): two
    labs on one day are two rows, each with its own lab's name."""
    draws = []
    for r in history.results:
        if r.analyte not in ANALYTES:
            continue
        last = draws[-1] if draws else None
        if last is None or last["draw"] != r.draw_id:
            last = {"draw": r.draw_id, "day": r.day, "lab": r.lab_name, "results": {}}
            draws.append(last)
        last["results"][r.analyte] = r
    return draws


def results_table(patient, history: History, charts: dict, region=None, max_rows=MAX_ROWS):
    """{"columns", "rows" (newest first), "earlier" (rows not shown), "after_infusion",
    "one_lab" (the lab of every row shown, named once on paper instead of on each row)}."""
    region = region or regions.get(None)
    infusion_days = sorted({i.day for i in history.infusions})
    # The chart's words for a ferritin left out of the fits, in the same order as the series.
    left_out = {
        id(r): point["left_out"]
        for r, point in zip(history.series("ferritin"), charts["ferritin"], strict=True)
        if point.get("left_out")
    }
    draws = draws_of(history)
    shown = draws[max(0, len(draws) - max_rows) :] if max_rows is not None else draws
    labs = {draw["lab"] for draw in shown}
    rows, any_after = [], False
    for draw in reversed(shown):
        cells = []
        for code in ANALYTES:
            r = draw["results"].get(code)
            if r is None:
                cells.append(None)
                continue
            flag = _flag(r, patient, infusion_days)
            any_after = any_after or flag.word == AFTER
            # Never rounded onto or across the flag's limit (units.shown_decimals).
            decimals = units.shown_decimals(code, r.value, patient.ferritin_threshold)
            number = formats.format_decimal(r.value, region, decimals)
            cells.append(
                {
                    "text": f"{SYMBOLS.get(r.comparator, '')}{number}",
                    "flag": flag.word,
                    "why": flag.why,
                    "left_out": left_out.get(id(r), ""),
                }
            )
        rows.append({"day": draw["day"], "lab": draw["lab"], "draw": draw["draw"], "cells": cells})
    return {
        "columns": columns(patient, region),
        "rows": rows,
        "earlier": len(draws) - len(shown),
        "after_infusion": any_after,
        "one_lab": labs.pop() if len(labs) == 1 else "",
    }


def latest_flags(latest, patient, history: History, results=None):
    """latest_values' rows with each newest result's flag in words; given the `results`
    table, only those it does not show already (a test it has no column for, or a newest
    result older than its rows): the report must fit two printed pages, and the same numbers
    twice would spend them."""
    newest = {r.analyte: r for r in history.results}
    shown = {row["draw"] for row in results["rows"]} if results else set()
    infusion_days = sorted({i.day for i in history.infusions})
    rows = []
    for row in latest:
        r = newest[row["code"]]
        if r.analyte in ANALYTES and r.draw_id in shown:
            continue
        flag = _flag(r, patient, infusion_days)
        row["flag"], row["why"] = flag.word, flag.why
        rows.append(row)
    return rows


def age(birth_date, today):
    if birth_date is None:
        return None
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


def written_treatments(courses, medications, region) -> None:
    """Each course's and medicine's numbers written the region's way ('0,125 mg/day' in
    Germany), as the report's lab values are: set on the records for its table."""
    for course in courses:
        course.elemental_shown = formats.format_decimal(course.elemental_mg, region, 1)
    for medication in medications:
        medication.dose_shown = medication.dose_text(region)
        medication.now_shown = medication.current_dose_display(region)
        for event in medication.events.all():
            event.what_shown = event.what_in(region)
