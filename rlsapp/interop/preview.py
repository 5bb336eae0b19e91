"""How an upload's records read in the import preview: from the stored payload, no queries.

Each record of the stored payload becomes a row of the preview's table: its rows in the
file, kind, date, the values as they will be saved, and whether it is new, already
saved, or waits for a choice. Oral iron courses and medicines: treatment_preview.py.
"""

import datetime
import re

from rlsapp.domain import formats, products, regions, units

from . import conflicts, treatment_preview
from .treatment_preview import preview_row, rows_label


def _date_text(text, region) -> str:
    """An ISO date of the payload as the region writes it; anything else as it is."""
    try:
        return formats.format_date(datetime.date.fromisoformat(str(text)), region)
    except ValueError:
        return text


def _shorter(number_text: str) -> str:
    """The number as entered without the zeros that do not change it ("40.0" -> "40").

    Only a decimal point's zeros: "36,50" still shows as entered, since the comma says
    how the number was read."""
    text = number_text.strip()
    if re.fullmatch(r"[<>≤≥]?=?\s*\d+\.\d+", text):
        text = text.rstrip("0").rstrip(".")
    return text


def _spaces(text: str) -> str:
    return "".join(" " if c in "\u00a0\u202f\u2009" else c for c in text)


def layout_text(payload) -> str:
    """How the file was read, in the words of what it holds."""
    if payload["layout"] == "long":
        return "Read as one row per test."
    if payload["layout"] != "wide":
        return "Read as a FHIR Bundle."
    kinds = [
        name
        for name, key in (
            ("draw", "draws"),
            ("infusion", "infusions"),
            ("symptom score", "symptoms"),
        )
        if payload.get(key)
    ]
    return f"Read as one row per {kinds[0] if len(kinds) == 1 else 'date'}."


def _result_text(result, region):
    info = units.ANALYTES[result["analyte"]]
    symbol = units.comparator_symbol(result["comparator"])
    stored = f"{symbol}{units.format_value(result['analyte'], result['value'], precise=True)}"
    # shown the way the account's region writes numbers (issue 11)
    shown = symbol + formats.format_decimal(result["value"], region, info.decimals + 1)
    text = f"{info.label} {shown} {info.display_unit}"
    entered = f"{result['entered_value']} {result['entered_unit']}"
    # '1.050' is a grouped thousand in a German file, written back as '1.050': the same
    # text, whatever _shorter would make of its point; spaces are compared as spaces (a
    # Swedish '1 050' is written back with a no-break space).
    written = {_spaces(stored), _spaces(shown)}
    typed = result["entered_value"].strip()
    same = _spaces(typed) in written or _shorter(typed) in written
    if result["entered_unit"] != info.display_unit or not same:
        text += f" (as entered: {entered})"
    if result.get("calculated"):
        text += " (calculated)"
    return text


def _same_day_text(same_day, region) -> str:
    saved = ", ".join(
        f"{units.ANALYTES[a].label} {formats.format_result(a, v, c, region)}"
        for a, v, c in same_day
    )
    return (
        f"Already saved for this day with another value: {saved}. Check which one the report "
        "shows; importing keeps both."
    )


def same_day_flags(payload, region, limit: int) -> list[dict]:
    """A row for 'Values to check against the file' per draw that adds a result to a day
    already holding another value of that test (the rows' own lines say it too, but a long
    file's preview is paged)."""
    found = []
    same_days = payload["plan"].get("draw_same_day") or [()] * len(payload["draws"])
    for draw, same_day in zip(payload["draws"], same_days, strict=True):
        if same_day and len(found) < limit:
            labels = dict.fromkeys(units.ANALYTES[a].label for a, _v, _c in same_day)
            found.append(
                {
                    "row": rows_label(draw["rows"]),
                    "column": ", ".join(labels),
                    "message": _same_day_text(same_day, region),
                }
            )
    return found


def preview_items(payload, region=None):
    """Every record of the upload as the preview lists it, in file order; numbers and dates
    written the way the account's region writes them."""
    region = region or regions.get(None)
    plan = payload["plan"]
    items = []
    same_days = plan.get("draw_same_day") or [()] * len(plan["draws"])
    for draw, status, duplicates, same_day in zip(
        payload["draws"], plan["draws"], plan["draw_duplicates"], same_days, strict=True
    ):
        details = [_result_text(r, region) for r in draw["results"]]
        if draw["lab_name"]:
            details.insert(0, f"Lab: {draw['lab_name']}")
        if duplicates and status != "duplicate":
            details.append(f"{duplicates} result(s) already saved: skipped")
        if same_day:
            details.append(_same_day_text(same_day, region))
        items.append(preview_row(draw, "Lab results", draw["drawn_on"], details, status))
    clashes = plan.get("infusion_conflicts") or [None] * len(plan["infusions"])
    for infusion, new, clash in zip(payload["infusions"], plan["infusions"], clashes, strict=True):
        product = products.full_name(infusion["product"], infusion["product_other"])
        details = [f"{product}, {infusion['dose_mg']} mg"]
        if infusion["reaction"]:
            details.append(f"Reaction: {infusion['reaction']}")
        status = conflicts.status(clash, new)
        items.append(preview_row(infusion, "Infusion", infusion["given_on"], details, status))
    for score, new in zip(payload["symptoms"], plan["symptoms"], strict=True):
        details = [f"Severity {score['severity']} of 10"]
        if score["onset_time"]:
            details.append(f"began {score['onset_time'][:5]}")
        status = "new" if new else "duplicate"
        items.append(preview_row(score, "Symptom score", score["recorded_on"], details, status))
    items.extend(treatment_preview.items(payload))
    items.sort(key=lambda item: item["rows"][0] if item["rows"] else 0)
    for item in items:
        item["rows_label"] = rows_label(item["rows"])
        item["date"] = _date_text(item["date"], region)
    return items


# The nouns the parsers count what they leave out in (csv/, fhir_parse.py), plural.
_COUNTED = ("rows", "results", "tests", "Observations", "resources")


def skipped_lines(skipped: dict) -> list[tuple[int, str]]:
    """What was not imported, as (count, words), the noun singular for one: '1 test rlsapp
    does not track (VITAMIN D)', not '1 tests'."""
    lines = []
    for what, count in sorted(skipped.items()):
        if count == 1:
            words = what.split(" ")
            for i, word in enumerate(words):
                if word in _COUNTED:
                    words[i] = word[:-1]
                    break
            what = " ".join(words).replace(" that are ", " that is ")
        lines.append((count, what))
    return lines
