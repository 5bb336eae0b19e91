"""The worklist's markup: its rows worked out from what worklist.page_of reads, the table
body, the filter chips and the column sorts, written in Python (the template engine took
most of the page's time for 50 rows of lookups) so the template only places them."""

from dataclasses import dataclass
from html import escape  # what django.utils.html.escape does to text, without its lazy check
from urllib.parse import quote  # as the urlencode filter quotes

from django.utils.safestring import mark_safe

from rlsapp.domain import formats, regions, units, urgency
from rlsapp.tracking.memberships import OWNER, ROLE_CHOICES

# Beside a shared person's name; the account's own people carry no badge.
ROLE_BADGES = {role: label for role, label in ROLE_CHOICES if role != OWNER}

# English month abbreviations, as strftime's %b gives them in the C locale the app runs in
# (Django's date filter costs a translation lookup per call, strftime a call per date).
MONTHS = ("", *"Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())


def day_text(day) -> str:
    """'7 Mar 2026'."""
    return f"{day.day} {MONTHS[day.month]} {day.year}" if day else ""


def month_text(day) -> str:
    """'Mar 2026'."""
    return f"{MONTHS[day.month]} {day.year}"


def estimate_text(central, early, late) -> str:
    """'Estimate: below around Mar 2027 (Feb 2027–May 2027, 8 in 10)'; a window within one
    month is that month once, not 'Apr 2026–Apr 2026'."""
    window = month_text(early)
    end = month_text(late) if late else "later"
    if end != window:
        window = f"{window}–{end}"
    return f"Estimate: below around {month_text(central)} ({window}, 8 in 10)"


def shortened(text: str, limit: int = 90) -> str:
    """`text` within `limit` characters, never cut inside a word: up to its first clause
    (before '; ' or ' (') when that fits, which for an estimated re-check leaves 'Ferritin
    estimated to fall below 100 µg/L most likely in March 2027', its window being on the
    row's estimate line; else up to a space, with '…'."""
    if len(text) <= limit:
        return text
    ends = [end for end in (text.find("; "), text.find(" (")) if end > 0]
    if ends and min(ends) <= limit:
        return text[: min(ends)]
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit - 1].rstrip(" ,;:") + "…"


def since_text(days: int) -> str:
    """'today', '1 day', '12 days'."""
    return "today" if days == 0 else "1 day" if days == 1 else f"{days:d} days"


@dataclass(slots=True)
class Row:
    """One worklist row, worked out in Python so the template only places text."""

    url: str
    name: str
    born: str
    group: int
    ferritin: str  # "19 µg/L", "<5 µg/L" or ""
    ferritin_on: str
    ferritin_flag: str  # words beside the colour: "below threshold", "above range"
    ferritin_left_out: str  # why it is left out of the fits ("left out: illness"), or ""
    days_since_infusion: int | None
    last_infusion_on: str
    recheck_on: str
    recheck_label: str
    recheck_class: str
    recheck_snoozed: bool
    recheck_reason: str
    estimate: str  # the estimate's window in words, or ""
    role: str = ""  # "Can edit", "Can view" for a person shared with the account, else ""


def rows_for(people, today, url_of, region=None):
    """`people` as page_of gives them; `url_of(pk)` gives a person's page (reversed once by
    the caller, not per row)."""
    region = region or regions.get(None)
    rows = []
    for p in people:
        value = p["status__latest_ferritin"]
        comparator = p["status__latest_ferritin_comparator"] or ""
        ferritin = flag = ""
        if value is not None:
            flag = units.flag("ferritin", value, threshold=p["ferritin_threshold"])[1]
            ferritin = formats.format_result(
                "ferritin", value, comparator, region, p["ferritin_threshold"]
            )
        infused = p["status__last_infusion_on"]
        remind_on = p["status__recheck_remind_on"]
        estimate = ""
        if p["status__recheck_estimate_on"]:
            estimate = estimate_text(
                p["status__recheck_estimate_on"],
                p["status__recheck_estimate_from"],
                p["status__recheck_estimate_to"],
            )
        label = ""
        if remind_on:
            label = urgency.LABELS[
                urgency.group(None, remind_on, p["status__recheck_soon_from"], today)
            ]
        reason = p["status__recheck_reason"] or ""
        rows.append(
            Row(
                url=url_of(p["pk"]),
                name=p["name"],
                born=day_text(p["birth_date"]),
                group=p["group"],
                ferritin=ferritin,
                ferritin_on=day_text(p["status__latest_ferritin_on"]),
                ferritin_flag=flag,
                ferritin_left_out=p["status__latest_ferritin_left_out"] or "",
                days_since_infusion=(today - infused).days if infused else None,
                last_infusion_on=day_text(infused),
                recheck_on=day_text(remind_on),
                recheck_label=label,
                recheck_class=label.replace(" ", "-"),
                recheck_snoozed=bool(p["snoozed"]),  # SQLite gives 0 or 1
                recheck_reason=shortened(reason[:1].upper() + reason[1:]),
                estimate=estimate,
                role=ROLE_BADGES.get(p["role"], ""),
            )
        )
    return rows


MUTED = '<div class="small text-body-secondary">'


def rows_html(rows) -> str:
    """The table body. Built in Python: the template engine took most of the page's time
    for 50 rows. Text from the records (names, addresses, the result with its comparator,
    reasons, badges) is escaped as the template would; dates, day counts, group labels and
    the estimate's months are made in this module from digits and fixed words."""
    parts = []
    add = parts.append
    for r in rows:
        add(f'<tr><td><a class="fw-semibold" href="{escape(r.url)}">{escape(r.name)}</a>')
        if r.role:
            add(
                ' <span class="badge text-bg-light border fw-normal role-badge">'
                f"{escape(r.role)}</span>"
            )
        if r.born:
            add(f"{MUTED}born {r.born}</div>")
        days = r.days_since_infusion
        if days is not None:
            ago = since_text(days) + ("" if days == 0 else " ago")
            add(f'<div class="small text-body-secondary d-md-none">infusion {ago}</div>')
        if r.recheck_on:
            # A phone has room for two columns: the re-check goes under the name, not into a
            # third column out of view to the right.
            add(
                f'<div class="small d-md-none">re-check {r.recheck_on} '
                f'<span class="badge recheck-{r.recheck_class}">{r.recheck_label}</span>'
            )
            if r.recheck_snoozed:
                add(' <span class="badge text-bg-secondary">snoozed</span>')
            add("</div>")
        add("</td><td>")
        if r.ferritin:
            add(f'<span class="{"value-low" if r.group == 1 else ""}">{escape(r.ferritin)}</span>')
            if r.ferritin_flag:
                add(f' <span class="badge text-bg-light border">{escape(r.ferritin_flag)}</span>')
            if r.ferritin_left_out:
                # The re-check's words beside it were worked out without it.
                add(f'<div class="small draw-left-out">{escape(r.ferritin_left_out)}</div>')
            add(f"{MUTED}{r.ferritin_on}</div>")
        else:
            add('<span class="text-body-secondary">none yet</span>')
        add('</td><td class="d-none d-md-table-cell">')
        if days is not None:
            add(f"{since_text(days)}{MUTED}{r.last_infusion_on}</div>")
        else:
            add('<span class="text-body-secondary">no infusion</span>')
        add('</td><td class="d-none d-md-table-cell">')
        if r.recheck_on:
            add(
                f'{r.recheck_on} <span class="badge recheck-{r.recheck_class}">'
                f"{r.recheck_label}</span>"
            )
            if r.recheck_snoozed:
                add(' <span class="badge text-bg-secondary">snoozed</span>')
            add(f"{MUTED}{escape(r.recheck_reason)}</div>")
            if r.estimate:
                add(f'<div class="small recheck-estimate">{r.estimate}</div>')
        else:
            add('<span class="text-body-secondary">none scheduled</span>')
        add("</td></tr>")
    return mark_safe("".join(parts))


# The filter chips and the column sorts above the table: (show, label, count) and (sort,
# label). Built in Python like the rows; `asked.show` and `asked.sort` are known keys only.
CHIPS = (
    ("", "Everyone", "all"),
    # Not every "below threshold" row: one infused since its result is among the re-checks.
    ("below", "Below threshold, no infusion since", "below"),
    ("overdue", "Overdue", "overdue"),
    ("soon", "Due soon", "soon"),
)
SORT_LABELS = (
    ("urgency", "Urgency"),
    ("name", "Name"),
    ("ferritin", "Latest ferritin"),
    ("recheck", "Next re-check"),
    ("infusion", "Last infusion"),
)


def _searched(asked) -> str:
    return f"&amp;q={escape(quote(asked.query))}" if asked.query else ""


def chips_html(asked, counts) -> str:
    searched = _searched(asked)
    links = []
    for show, label, count in CHIPS:
        if asked.show == show:
            style, current = "btn-dark", ' aria-current="page"'
        else:
            style, current = "btn-outline-dark", ""
        links.append(
            f'<a class="btn btn-sm {style}" href="?show={show}{searched}&amp;sort={asked.sort}"'
            f'{current}>{label} <span class="badge text-bg-light">{counts[count]:d}</span></a>'
        )
    return mark_safe("\n".join(links))


def sorts_html(asked) -> str:
    searched = _searched(asked)
    links = [
        f"<strong>{label.lower()}</strong>"
        if asked.sort == sort
        else f'<a href="?show={asked.show}{searched}&amp;sort={sort}">{label.lower()}</a>'
        for sort, label in SORT_LABELS
    ]
    return mark_safe(" · ".join(links))


def pages_html(asked, number, pages) -> str:
    """The previous and next page links under the table (none for a single page)."""
    if pages <= 1:
        return ""
    link = f'<li class="page-item"><a class="page-link" href="?show={asked.show}{_searched(asked)}'
    link += f"&amp;sort={asked.sort}&amp;page="
    items = []
    if number > 1:
        items.append(f'{link}{number - 1:d}">Previous</a></li>')
    items.append(
        f'<li class="page-item disabled"><span class="page-link">Page {number:d} of {pages:d}'
        "</span></li>"
    )
    if number < pages:
        items.append(f'{link}{number + 1:d}">Next</a></li>')
    return mark_safe(
        '<nav aria-label="Pages" class="d-print-none">\n  <ul class="pagination flex-wrap">\n    '
        + "\n    ".join(items)
        + "\n  </ul>\n</nav>"
    )
