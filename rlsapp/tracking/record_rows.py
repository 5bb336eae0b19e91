"""The record tables (lab results, infusions, symptom scores, oral iron courses, RLS
medicines) written in Python: the person page and each record list show them through the
template tags of templatetags/tracking_tags.py, which only pass these functions the
records, the person and the account's region.

The template engine took most of the person page's time for these rows (a variable lookup,
a filter or a tag per cell). Text from the records (lab names, notes, reactions, product
and medicine names, the result with its comparator) is escaped as the template would
escape it (conditional_escape); dates, ids and the fixed words are made here. Results are
flagged (result_flags through fit_inputs.flag_result, or its flagger for a table), written
(formats through lab_entry.result_text) and dated (formats.format_date) by the same
functions the templates called.
"""

from html import escape

from django.urls import reverse
from django.utils.safestring import mark_safe

from rlsapp.domain import formats, result_flags, units

from .fit_inputs import flag_result, flagger, left_out_periods, left_out_words
from .lab_entry import result_text
from .memberships import role_allows
from .templatetags.links import linker

NONE = "—"  # an empty cell, as the templates' default:"—" wrote it
ACTIONS_HEAD = (
    '<th scope="col" class="d-none d-md-table-cell d-print-none">'
    '<span class="visually-hidden">Actions</span></th>'
)
PHONE_ACTIONS = '<div class="small d-md-none d-print-none">'
WIDE_ACTIONS = '<td class="text-end d-none d-md-table-cell d-print-none">'


def esc(text) -> str:
    """django.utils.html.conditional_escape without its check for lazy strings, which costs
    more than the escaping: text with __html__ is kept, anything else is escaped as
    django.utils.html.escape does (html.escape of its str). Most text has none of the five
    characters html.escape replaces, and looking for them costs less than its five
    replacements, which would give the same text back."""
    if hasattr(text, "__html__"):
        return text.__html__()
    text = str(text)
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return escape(text)
    return text


def _table(label: str, heads: str, rows: list[str]) -> str:
    return mark_safe(
        f'<div class="table-responsive" tabindex="0" role="region" aria-label="{label} table">\n'
        '<table class="table table-sm align-middle table-records">\n'
        f"<thead><tr>{heads}{ACTIONS_HEAD}</tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n</div>"
    )


def _empty(words: str) -> str:
    return mark_safe(f'<p class="text-body-secondary">{words}</p>')


def _edit_delete(edit: str, delete: str):
    """A row's Edit · Delete links as a function of its id."""
    edit, delete = linker(edit), linker(delete)
    return lambda pk: (
        f'<a href="{edit(pk)}">Edit</a> · <a class="link-danger" href="{delete(pk)}">Delete</a>'
    )


def _can_edit(patient) -> bool:
    """As the templates' patient|can:"edit" (templatetags/roles.py)."""
    return role_allows(getattr(patient, "role", None), "edit")


# Lab results -----------------------------------------------------------------------------

# The words beside the colour (issue 16 item 6), so a flag never rests on colour or hover.
AFTER_WORDS = (
    "expected after an infusion: ferritin rises as infused iron enters the stores, then falls"
)
VALUE_CLASS = {result_flags.LOW: "value-low", result_flags.HIGH: "value-high"}


def result_html(result, patient, region, infusion_days) -> str:
    """A result as the tables show it (_result), for the latest values (tag result_value)."""
    flag = lambda *of: flag_result(patient, *of, infusion_days)  # noqa: E731
    return mark_safe(_result(result, region, flag, patient.ferritin_threshold))


def _result(result, region, flag, threshold=None) -> str:
    """A stored value with its flag in words ("low", "high", "after infusion") and why,
    and the value as the lab printed it when that differs. A high soon after an infusion
    is the expected rise (domain/result_flags.py), explained rather than alarmed about.
    `flag`: the person's flag_result of (analyte, value, comparator, day, after_infusion)."""
    draw = result.draw
    flag = flag(result.analyte, result.value, result.comparator, draw.drawn_on, draw.after_infusion)
    css = VALUE_CLASS.get(flag.word, "")
    parts = [f'<span class="{css}">{esc(result_text(result, region, threshold))}</span>']
    if flag.word == result_flags.AFTER:
        why = AFTER_WORDS if result.analyte == "ferritin" else flag.why.split(": ", 1)[-1]
        parts.append(
            ' <span class="flag-word flag-after">after infusion</span>'
            f' <span class="flag-why">({esc(why)})</span>'
        )
    elif flag:
        word = esc(flag.word)
        parts.append(
            f' <span class="flag-word flag-{word}">{word}</span>'
            f' <span class="flag-why">({esc(flag.why)})</span>'
        )
    if result.converted:
        parts.append(f' <span class="entered-as">lab: {esc(result.entered_display)}</span>')
    if result.calculated:
        parts.append(' <span class="entered-as">calculated</span>')
    return "".join(parts)


def _name_html(info) -> str:
    """A test's name in the results cell: its short name on a phone, if it has one."""
    label = esc(info.label)
    if not info.short_label:
        return label
    return (
        f'<abbr title="{label}" class="d-md-none">{esc(info.short_label)}</abbr>'
        f'<span class="d-none d-md-inline">{label}</span>'
    )


# Written once: the names are fixed, and every row of the table repeats them.
RESULT_NAMES = {code: _name_html(info) for code, info in units.ANALYTES.items()}


def draw_results_html(draw, region, flag, threshold=None) -> str:
    """A draw's results, a line each: the test's name (short on a phone) and its value with
    its flag (`flag`, `threshold`: as _result's)."""
    lines = []
    for result in draw.ordered_results():
        name = RESULT_NAMES[result.analyte]
        value = _result(result, region, flag, threshold)
        lines.append(f'<div><span class="text-body-secondary">{name}</span> {value}</div>')
    return mark_safe("".join(lines))


DRAW_HEADS = (
    '<th scope="col">Date</th><th scope="col" class="d-none d-md-table-cell">Lab</th>'
    '<th scope="col">Results</th>'
)


def periods_of(patient, courses) -> list:
    """The draw table's `periods` from the person's oral iron courses already read."""
    return left_out_periods(patient, [course.period for course in courses])


def left_out_of(draw, periods=()) -> str:
    """Why a draw is left out of the fits, in the chart's words ('left out: illness (flu)',
    'left out: taken during Ferrous sulfate'), or '' for a draw in them. `periods`: as
    draw_table's."""
    if draw.left_out_reason:
        return draw.left_out_words
    return left_out_words(draw.drawn_on, "", "", periods) if periods else ""


def left_out_mark(words: str) -> str:
    """The mark a left-out draw carries wherever one of its results is shown, or ''."""
    if not words:
        return ""
    # Wrapping: on one line 'left out: taken during Ferrous sulfate' set the date column's
    # width, and each row's results ran past a phone's screen.
    return (
        '<div class="small draw-left-out">'
        f'<span class="badge text-bg-light border text-wrap text-start">{esc(words)}</span></div>'
    )


def draw_table(draws, patient, region, infusion_days, periods=()) -> str:
    """The lab results table, or a line saying there are none. `periods`: the oral iron
    courses that leave draws out of the fits (fit_inputs.left_out_periods), marked as a
    draw left out by hand is, as the chart marks them."""
    if not draws:
        return _empty("No lab results recorded.")
    edit = _can_edit(patient)
    flag = flagger(patient, infusion_days)
    threshold = patient.ferritin_threshold
    if edit:
        edit_url, delete_url = linker("draw_edit"), linker("draw_delete")
        put_back_url, leave_out_url = linker("draw_put_back"), linker("draw_leave_out")
    rows = []
    for draw in draws:
        pk = draw.pk
        lab = esc(draw.lab_name)
        cell = [f"<tr><td>{formats.format_date(draw.drawn_on, region)}"]
        if draw.after_infusion:
            cell.append(
                '<div class="small text-body-secondary draw-after-infusion">'
                "taken after the infusion</div>"
            )
        cell.append(left_out_mark(left_out_of(draw, periods)))
        cell.append(f'<div class="small text-body-secondary d-md-none text-wrap">{lab}</div>')
        if edit:
            if draw.left_out_reason:
                back = put_back_url(pk)
                phone = f'<a href="{back}">Put back</a>'
                wide = f'<a href="{back}" title="Let this draw enter the decline fits again">'
                wide += "Put back</a>"
            else:
                out = leave_out_url(pk)
                phone = f'<a href="{out}">Leave out</a>'
                wide = (
                    f'<a href="{out}" title="Leave out of the decline fit (illness, '
                    'inflammation, wrong lab)">Leave out</a>'
                )
            start, end = (
                f'<a href="{edit_url(pk)}">Edit</a> · ',
                f' · <a class="link-danger" href="{delete_url(pk)}">Delete</a>',
            )
            cell.append(f"{PHONE_ACTIONS}{start}{phone}{end}</div>")
        cell.append(
            f'</td><td class="wrap d-none d-md-table-cell">{lab or NONE}</td>'
            f'<td class="wrap">{draw_results_html(draw, region, flag, threshold)}</td>'
            f"{WIDE_ACTIONS}"
        )
        if edit:
            cell.append(f"{start}{wide}{end}")
        cell.append("</td></tr>")
        rows.append("".join(cell))
    return _table("Lab results", DRAW_HEADS, rows)


# Infusions and symptom scores ----------------------------------------------------------

INFUSION_HEADS = (
    '<th scope="col">Date</th><th scope="col">Product</th><th scope="col">Dose</th>'
    '<th scope="col">Reaction</th><th scope="col" class="d-none d-md-table-cell">Notes</th>'
)


def _records_table(records, patient, label, heads, empty, edit_delete, first, rest) -> str:
    """A table of one kind of record, one row each: `first(record)` is its first cell's text
    (a date), under which a phone shows the row's Edit · Delete links; `rest(record)` its
    other cells; the wide screen's links close the row."""
    if not records:
        return _empty(empty)
    edit = _can_edit(patient) and _edit_delete(*edit_delete)
    rows = []
    for record in records:
        actions = edit(record.pk) if edit else ""
        phone = f"{PHONE_ACTIONS}{actions}</div>" if edit else ""
        rows.append(
            f"<tr><td>{first(record)}{phone}</td>{rest(record)}{WIDE_ACTIONS}{actions}</td></tr>"
        )
    return _table(label, heads, rows)


def infusion_table(infusions, patient, region) -> str:
    return _records_table(
        infusions,
        patient,
        "Infusions",
        INFUSION_HEADS,
        "No infusions recorded.",
        ("infusion_edit", "infusion_delete"),
        lambda infusion: formats.format_date(infusion.given_on, region),
        lambda infusion: (
            f'<td class="wrap">{esc(infusion.product_label)}</td>'
            f"<td>{esc(infusion.dose_mg)} mg</td>"
            f'<td class="wrap">{esc(infusion.reaction or NONE)}</td>'
            f'<td class="wrap d-none d-md-table-cell">{esc(infusion.notes or NONE)}</td>'
        ),
    )


SYMPTOM_HEADS = (
    '<th scope="col">Date</th><th scope="col">Severity (0–10)</th>'
    '<th scope="col">Evening onset</th><th scope="col">Note</th>'
)


def symptom_table(scores, patient, region) -> str:
    return _records_table(
        scores,
        patient,
        "Symptom scores",
        SYMPTOM_HEADS,
        "No symptom scores recorded.",
        ("symptom_edit", "symptom_delete"),
        lambda score: formats.format_date(score.recorded_on, region),
        lambda score: (
            f"<td>{esc(score.severity)}</td>"
            f"<td>{score.onset_time.strftime('%H:%M') if score.onset_time else NONE}</td>"
            f'<td class="wrap">{esc(score.note or NONE)}</td>'
        ),
    )


# Oral iron courses and RLS medicines -----------------------------------------------------

COURSE_HEADS = (
    '<th scope="col">From</th><th scope="col">To</th><th scope="col">Product</th>'
    '<th scope="col">Elemental iron</th><th scope="col">Schedule</th>'
    '<th scope="col">Vitamin C</th><th scope="col" class="d-none d-md-table-cell">'
    "Why stopped</th>"
)


def course_table(courses, patient, region) -> str:
    """Oral iron courses, dated in the account's format as the other tables are."""
    return _records_table(
        courses,
        patient,
        "Oral iron courses",
        COURSE_HEADS,
        "No oral iron courses recorded.",
        ("course_edit", "course_delete"),
        lambda course: formats.format_date(course.started_on, region),
        lambda course: (
            f"<td>{formats.format_date(course.ended_on, region) or 'ongoing'}</td>"
            f'<td class="wrap">{esc(course.product_label)}</td>'
            f"<td>{formats.format_decimal(course.elemental_mg, region, 1)} mg per dose</td>"
            f'<td class="wrap">{esc(course.schedule_label)}</td>'
            f"<td>{'yes' if course.with_vitamin_c else 'no'}</td>"
            f'<td class="wrap d-none d-md-table-cell">{esc(course.stop_reason or NONE)}</td>'
        ),
    )


MEDICINE_HEADS = (
    '<th scope="col">Medicine</th><th scope="col">From</th><th scope="col">To</th>'
    '<th scope="col">Dose</th><th scope="col">Events</th>'
)


def medicine_table(medications, patient, region) -> str:
    """RLS medicines with their events (read with them when prefetched)."""
    if not medications:
        return _empty("No RLS medicines recorded.")
    edit = _can_edit(patient) and _edit_delete("medicine_edit", "medicine_delete")
    if edit:
        event_url, add_event_url = linker("medicine_event_edit"), linker("medicine_event_create")
    augmentation = None
    rows = []
    for medication in medications:
        pk = medication.pk
        actions = edit(pk) if edit else ""
        cell = [f'<tr><td class="wrap">{esc(medication.drug_label)}']
        if medication.is_dopamine_agonist:
            augmentation = augmentation or reverse("augmentation_help")
            cell.append(
                '<div class="small guideline-note">Guideline note: '
                f'<a href="{augmentation}">what augmentation looks like</a></div>'
            )
        if edit:
            cell.append(f"{PHONE_ACTIONS}{actions}</div>")
        cell.append(f"</td><td>{formats.format_date(medication.started_on, region)}</td><td>")
        if medication.stopped_on:
            cell.append(formats.format_date(medication.stopped_on, region))
            if medication.stop_reason:
                cell.append(f'<div class="small">{esc(medication.stop_reason)}</div>')
        else:
            cell.append("still taken")
        dose, now = medication.dose_text(region), medication.current_dose_display(region)
        cell.append(f"</td><td>{esc(dose)}")
        if now != dose:  # a stopped medicine's latest dose is not taken now
            when = "last" if medication.stopped_on else "now"
            cell.append(f'<div class="small">{when} {esc(now)}</div>')
        cell.append('</td><td class="wrap small">')
        for event in medication.events.all():
            when = formats.format_date(event.happened_on, region)
            cell.append(f"<div>{esc(event.what_in(region))} on {when}")
            if event.note:
                cell.append(f": {esc(event.note)}")
            cell.append(" ")
            if edit:
                cell.append(
                    f'<span class="d-print-none">(<a href="{event_url(event.pk)}">edit</a>)</span>'
                )
            cell.append("</div>")
        if edit:
            cell.append(
                f'<a class="d-print-none" href="{add_event_url(pk)}">Add a dose change or event</a>'
            )
        cell.append(f"</td>{WIDE_ACTIONS}{actions}</td></tr>")
        rows.append("".join(cell))
    return _table("RLS medicines", MEDICINE_HEADS, rows)
