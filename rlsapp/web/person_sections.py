"""The person page's changing parts written in Python: the heading and its actions, the
re-check card, the latest values and the record sections (the charts section's words are
in person_charts.py). tracking/patient_page.html
places them between its fixed text.

Written here because the template engine pays for each of these parts one by one (a
lookup, a filter or a tag each, role checks repeated per link). Each part writes exactly
what the template wrote, whitespace included. Text from the records (the person's name, lab
names, the re-check's reason and notes) is escaped as the template escaped it; the words
and formats come from the same functions the templates called: the role's words and checks
(templatetags/roles.py), the reader's words (person_words.py: whose_words, the estimate's
basis), the re-check's urgency (reminders_tags.py), the results and record tables
(tracking/record_rows.py), the TSAT note (treatment_tags.py), the worklist's day_text and
Django's date filter's English words (domain/formats.py) and its timesince filter."""

from django.template.defaultfilters import capfirst, floatformat, timesince_filter
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

from rlsapp.domain.estimate import basis_words
from rlsapp.domain.formats import day_and_month, long_date
from rlsapp.reminders.templatetags import reminders_tags
from rlsapp.tracking import record_rows
from rlsapp.tracking.memberships import EDITOR, VIEWER
from rlsapp.tracking.record_rows import esc
from rlsapp.tracking.templatetags.links import links_of
from rlsapp.tracking.templatetags.person_words import basis_class, whose_words
from rlsapp.tracking.templatetags.roles import can, role_words
from rlsapp.tracking.templatetags.treatment_tags import tsat_note

from .person_charts import chart_words, overlay
from .worklist_html import day_text


def shown(value) -> str:
    """A value as {{ value }} writes it: localized (numbers), then escaped."""
    return esc(localize(value))


# The heading and its actions ------------------------------------------------------------


def heading(patient, summary, me: bool, today) -> str:
    """The name with the account's role (a member's), "This is you", and the settings."""
    badge = ""
    if getattr(patient, "role", None) in (EDITOR, VIEWER):
        badge = (
            ' <span class="badge text-bg-light border fw-normal align-middle fs-6 role-badge">'
            f"{esc(role_words(patient))}</span>"
        )
    you = '<div class="small text-body-secondary this-is-you">This is you</div>' if me else ""
    last = getattr(summary, "last_infusion_on", None)
    # An infusion has a day, not a time: from its midnight to now read '8 hours ago'.
    ago = ("today" if last >= today else f"{timesince_filter(last, today)} ago") if last else ""
    infused = f"· last infusion {day_text(last)} ({esc(ago)})" if last else ""
    return (
        f'<h1 class="h3 mb-1">{esc(patient.name)}{badge}</h1>\n    {you}\n'
        '    <div class="text-body-secondary small">\n'
        f"      Threshold {floatformat(patient.ferritin_threshold, '-1')} µg/L"
        f" · first re-check {shown(patient.first_recheck_weeks)} weeks after an infusion"
        f" · then every {shown(patient.routine_recheck_weeks)} weeks\n"
        f"      {infused}\n    </div>"
    )


def _item(href: str, words: str) -> str:
    return f'<li><a class="more-item" href="{href}">{words}</a></li>'


RULE = '<li><hr class="my-1"></li>'
EXPORTS = (
    ("patient_export_csv", 'Export CSV <span class="small text-body-secondary">'
     "(decimal point, ISO dates: reads back into rlsapp)</span>"),
    ("patient_export_fhir", 'Export FHIR (JSON) <span class="small text-body-secondary">'
     "(standard units and dates)</span>"),
    ("patient_export_spreadsheet", 'Export for a spreadsheet <span class="small '
     'text-body-secondary">(numbers and dates as your region writes them)</span>'),
)  # fmt: skip


def actions(patient, me: bool, to) -> str:
    """The page's buttons: the two things done most (or the report, to a viewer), and
    everything else under More…"""
    edit, own = can(patient, "edit"), can(patient, "own")
    if edit:
        buttons = (
            f'\n    <a class="btn btn-primary" href="{to("draw_create")}">Add lab result</a>'
            f'\n    <a class="btn btn-outline-primary" href="{to("infusion_create")}">'
            "Add infusion</a>\n    "
        )
        adding = (
            f"\n        {_item(to('symptom_create'), 'Add symptom score')}"
            f"\n        {_item(to('course_create'), 'Add oral iron course')}"
            f"\n        {_item(to('medicine_create'), 'Add RLS medicine')}"
            f"\n        {RULE}"
            f"\n        {_item(to('patient_report'), 'Printable report')}\n        "
        )
    else:
        buttons = (
            f'\n    <a class="btn btn-primary" href="{to("patient_report")}">'
            "Printable report</a>\n    "
        )
        adding = ""
    data = _item(to("patient_import"), "Import CSV or FHIR…") if edit else ""
    me_button = (
        '<li><button class="more-item" type="submit" form="recheck-action" formaction="'
        f'{to("patient_this_is_me")}" name="me" value="'
        + ('0">This is not me' if me else '1">This is me')
        + "</button></li>"
    )
    if own:
        people = _item(to("patient_people"), "People with access") + "\n        "
    else:
        people = _item(to("patient_leave"), f"Leave (stop seeing {esc(patient.name)})")
    return (
        '<div class="d-flex flex-wrap gap-2 d-print-none page-actions">\n    '
        f"{buttons}\n"
        '    <details class="more-actions">\n'
        '      <summary class="btn btn-outline-secondary">More…</summary>\n'
        '      <ul class="more-menu list-unstyled border rounded bg-body shadow-sm py-1 mb-0">'
        f"\n        {adding}\n        \n{data}\n"
        + "".join(f"{_item(to(name), words)}\n" for name, words in EXPORTS)
        + f"\n        {RULE}\n        "
        + _item(to("patient_history"), "History (undo changes)" if edit else "History")
        + "\n        "
        + (_item(to("patient_links"), "Read-only links") if own else "")
        + "\n        "
        + (_item(to("patient_edit"), "Settings") if edit else "")
        + f"\n        \n        {me_button}\n        {people}\n"
        "      </ul>\n    </details>\n  </div>"
    )


def delete_link(patient, to) -> str:
    if not can(patient, "own"):
        return ""
    href = to("patient_delete")
    return (
        f'<p class="d-print-none"><a class="link-danger" href="{href}">'
        f"Delete {esc(patient.name)}…</a></p>"
    )


# The re-check card ----------------------------------------------------------------------

CARD_BORDERS = {"overdue": " border-danger", "today": " border-warning", "soon": " border-warning"}


def recheck_card(patient, recheck, summary, me: bool, to) -> str:
    """The open re-check with its date, urgency, reasons and estimate, and its buttons
    (which submit the page's form outside the cached body); or why there is none."""
    start = (
        '\n<section class="mb-4" aria-labelledby="recheck-heading">\n'
        '  <h2 class="h5" id="recheck-heading">Next ferritin re-check</h2>\n  '
    )
    if recheck is None:
        settings = getattr(summary, "latest_ferritin", None) is not None or getattr(
            summary, "last_infusion_on", None
        )
        return (
            f"{start}\n"
            '  <p class="text-body-secondary">No re-check scheduled. One is worked out from the '
            "next ferritin result or infusion recorded"
            + (", or when you change the re-check settings" if settings else "")
            + ".</p>\n  \n</section>\n"
        )
    urgency = reminders_tags.recheck_urgency(recheck.remind_on, recheck.soon_from)
    if recheck.status == "snoozed":
        status = (
            f'<span class="badge text-bg-secondary">Snoozed (due {day_text(recheck.due_on)})</span>'
        )
    elif recheck.status == "sent":
        sent = template_localtime(recheck.sent_at)
        sent = day_and_month(sent) if sent else ""
        status = f'<span class="badge text-bg-light border">Emailed {sent}</span>'
    else:
        status = ""
    notes = "".join(
        f'<div class="alert alert-warning py-2 mb-2">{esc(note)}</div>'
        for note in recheck.note_lines
    )
    window = recheck.window_text
    predicted = recheck.kind == "predicted"
    estimate = ""
    if window:
        basis = recheck.estimate_basis
        badge = (
            f'<span class="badge text-wrap text-start {esc(basis_class(basis))} estimate-basis">'
            f"{esc(basis_words(basis, me))}</span> "
            if basis
            else ""
        )
        after = " The re-check is set before the start of that range." if predicted else ""
        estimate = f'<p class="mb-2 recheck-estimate">{badge}{esc(window)}{after}</p>'
    advice = ""
    if predicted or window:
        more = (
            f' <a class="d-print-none" href="{to("patient_charts")}#projection-note">'
            "What went into the estimate</a>"
            if window
            else ""
        )
        advice = (
            '<p class="small text-body-secondary mb-2">Dates from the decline are estimates '
            f"from the results recorded here, not medical advice.{more}</p>"
        )
    edit = can(patient, "edit")
    about = links_of(recheck.pk)
    snooze = about("reminder_snooze")
    snoozing = (
        '<button class="btn btn-sm btn-outline-secondary" type="submit" form="recheck-action" '
        f'formaction="{snooze}" name="weeks" value="1">Snooze 1 week</button>\n'
        '        <button class="btn btn-sm btn-outline-secondary" type="submit" '
        f'form="recheck-action" formaction="{snooze}" name="weeks" value="2">'
        "Snooze 2 weeks</button>\n"
        f'        <a class="btn btn-sm btn-outline-secondary" href="{snooze}">'
        "Snooze to a date…</a>"
        if edit
        else ""
    )
    dismiss = (
        f'<a class="btn btn-sm btn-outline-danger" href="{about("reminder_dismiss")}">Dismiss…</a>'
        if edit
        else ""
    )
    return (
        f"{start}\n  \n"
        f'  <div class="card{CARD_BORDERS.get(urgency, "")}">\n'
        '    <div class="card-body">\n'
        '      <div class="d-flex flex-wrap align-items-baseline gap-2">\n'
        f'        <span class="fs-5 fw-semibold">{long_date(recheck.remind_on)}</span>\n'
        f'        <span class="badge {esc(reminders_tags.urgency_class(urgency))}">'
        f"{esc(reminders_tags.urgency_label(urgency))}</span>\n"
        f"        {status}\n      </div>\n"
        f'      <p class="mb-2">Why: {esc(capfirst(recheck.reason))}.</p>\n'
        f"      {notes}\n      {estimate}\n      {advice}\n"
        '      <div class="d-flex flex-wrap gap-2 d-print-none">\n        \n'
        f"        {snoozing}\n"
        '        <a class="btn btn-sm btn-outline-secondary" href="'
        f'{about("reminder_ics")}">Add to calendar (.ics)</a>\n'
        f"        {dismiss}\n      </div>\n    </div>\n  </div>\n  \n</section>\n"
    )


# The latest values ----------------------------------------------------------------------


def latest_cards(latest, patient, region, infusion_days, periods=()) -> str:
    """A card for the newest result of each test: its value with its flag, day and lab, and
    a ferritin left out of the fits marked as in the table (`periods`: draw_table's), so
    that the re-check's words, worked out without it, are not read as about it."""
    if not latest:
        return ""
    cards = []
    for result in latest:
        draw = result.draw
        lab = f" · {esc(draw.lab_name)}" if draw.lab_name else ""
        note = tsat_note(result)
        note = f'<div class="small guideline-note mt-1">{esc(note)}</div>' if note else ""
        value = record_rows.result_html(result, patient, region, infusion_days)
        if result.analyte == "ferritin":
            note = record_rows.left_out_mark(record_rows.left_out_of(draw, periods)) + note
        cards.append(
            '\n    <div class="col">\n'
            '      <div class="card stat-card h-100"><div class="card-body py-2">\n'
            f'        <div class="small text-body-secondary">{esc(result.info.label)}</div>\n'
            f'        <div class="stat-value">{value}</div>\n'
            f'        <div class="small text-body-secondary">{day_text(draw.drawn_on)}{lab}</div>\n'
            f"        {note}\n      </div></div>\n    </div>\n    "
        )
    return (
        '\n<section class="mb-4" aria-labelledby="latest-heading">\n'
        '  <h2 class="h5" id="latest-heading">Latest values</h2>\n'
        '  <div class="row row-cols-2 row-cols-md-4 g-2">\n    '
        + "".join(cards)
        + "\n  </div>\n</section>\n"
    )


# The record sections --------------------------------------------------------------------


def _section(key: str, heading: str, aside: str, table: str) -> str:
    return (
        f'\n<section class="mb-4" aria-labelledby="{key}-heading">\n'
        '  <div class="d-flex justify-content-between align-items-baseline">\n'
        f'    <h2 class="h5" id="{key}-heading">{heading}</h2>\n'
        f"    {aside}\n  </div>\n  {table}\n</section>\n"
    )


def _more(more: bool, href: str, words: str) -> str:
    return f'<a href="{href}">{words}</a>' if more else ""


def _add_or_all(edit: bool, add: str, words: str, everything: str) -> str:
    adding = f'<a href="{add}">{words}</a> · ' if edit else ""
    return f'<span class="d-print-none">{adding}<a href="{everything}">All</a></span>'


# What the "Not recorded yet" line offers for each kind with no rows, in its order.
NOT_YET = (
    ("draws", "draw_create", "lab results"),
    ("infusions", "infusion_create", "infusions"),
    ("symptom_scores", "symptom_create", "symptom scores"),
    ("courses", "course_create", "oral iron courses"),
    ("medications", "medicine_create", "RLS medicines"),
)


# Each kind of record in the page's order: rows' key, heading id and words, table.
RECORD_KINDS = (
    ("draws", "draws", "Lab results", record_rows.draw_table),
    ("infusions", "infusions", "Infusions", record_rows.infusion_table),
    ("courses", "courses", "Oral iron", record_rows.course_table),
    ("medications", "medicines", "RLS medicines", record_rows.medicine_table),
    ("symptom_scores", "symptoms", "Symptom scores", record_rows.symptom_table),
)


def record_sections(page: dict, region, to, periods) -> str:
    """The newest rows of each kind of record under their headings (with a link to all of
    them when there are more), and to an editor the kinds not recorded yet. `page`: the
    page's context (web/person_page.py)."""
    patient = page["patient"]
    edit = can(patient, "edit")

    def more(flag: str, name: str, words: str):
        return lambda: _more(page[flag], to(name), words)

    def add_or_all(add: str, words: str, everything: str):
        return lambda: _add_or_all(edit, to(add), words, to(everything))

    # Beside each heading: all of them when there are more, or (few) add one and all.
    asides = {
        "draws": more("more_draws", "draw_list", "All lab results"),
        "infusions": more("more_infusions", "infusion_list", "All infusions"),
        "courses": add_or_all("course_create", "Add a course", "course_list"),
        "medications": add_or_all("medicine_create", "Add a medicine", "medicine_list"),
        "symptom_scores": more("more_scores", "symptom_list", "All symptom scores"),
    }
    extra = {"draws": (page["infusion_days"], periods)}
    parts = []
    for key, anchor, heading, table in RECORD_KINDS:
        if not page[key]:
            parts.append("")  # its place kept in the blank-line joins below
            continue
        rows = table(page[key], patient, region, *extra.get(key, ()))
        parts.append(_section(anchor, heading, asides[key](), rows))
    not_yet = ""
    if edit and not all(page[key] for key, _, _ in NOT_YET):
        items = "\n  ".join(
            ""
            if page[key]
            else f'<li class="list-inline-item"><a href="{to(name)}">{words}</a></li>'
            for key, name, words in NOT_YET
        )
        not_yet = (
            '\n<div class="small text-body-secondary d-print-none not-yet-recorded mb-3">'
            'Not recorded yet:\n  <ul class="list-inline d-inline mb-0">\n  '
            f"{items}\n  </ul>\n</div>\n"
        )
    return "\n\n".join(parts) + "\n\n" + not_yet


RECORDED = ("latest", "infusions", "symptom_scores", "courses", "medications")


def recorded(page: dict) -> bool:
    """Whether anything is recorded: if not, the page shows one short note instead of a
    row of empty boxes."""
    return any(page[key] for key in RECORDED)


def sections(page: dict, me: bool, region) -> dict:
    """The parts of the page's body the template places (`recorded`, and the others as safe
    HTML). `page`: the page's context (web/person_page.py); `me`: the reader marked the
    person "This is me"; `region`: the account's."""
    patient, summary = page["patient"], page["summary"]
    to = links_of(patient.pk)
    parts = {
        "heading": heading(patient, summary, me, page["today"]),
        "actions": actions(patient, me, to),
        "whose": esc(whose_words(me)),
        "delete": delete_link(patient, to),
    }
    if recorded(page):
        parts["recheck"] = recheck_card(patient, page["recheck"], summary, me, to)
        periods = record_rows.periods_of(patient, page["courses"])
        parts["latest"] = latest_cards(
            page["latest"], patient, region, page["infusion_days"], periods
        )
        parts["chart_words"] = chart_words(page["charts"], to, periods)
        parts["overlay"] = overlay(page["charts"], patient, to)
        parts["records"] = record_sections(page, region, to, periods)
    return {"recorded": recorded(page)} | {name: mark_safe(text) for name, text in parts.items()}
