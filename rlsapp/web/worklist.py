"""The worklist's rows, order, filters and counts: one query for the default view (two with
a filter or search), whatever the number of people.

The order is domain/urgency.py's, in SQL, over one stored row per person
(reminders.PersonStatus) joined to the account's memberships: group 1 (below the
threshold, untreated since) rests on PersonStatus.untreated_ratio, stored by the
scheduler when records change; groups 2-4 compare the open re-check's dates, stored on
the same row, with today when the page is read, so nothing stored goes stale as days pass.
"""

import dataclasses
from dataclasses import dataclass
from html import escape  # what django.utils.html.escape does to text, without its lazy check
from urllib.parse import quote  # as the urlencode filter quotes

from django.db import connections
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils.safestring import mark_safe

from rlsapp.domain import formats, regions, units, urgency
from rlsapp.reminders.models import Reminder
from rlsapp.tracking.memberships import OWNER, ROLE_CHOICES
from rlsapp.tracking.models import Patient

from . import statements

PAGE_SIZE = 50
# What a row shows: the person, the account's role, and their stored row (PersonStatus).
ROW_FIELDS = ["pk", "name", "birth_date", "ferritin_threshold", "role", "group", "snoozed"] + [
    f"status__{f}"
    for f in (
        "latest_ferritin",
        "latest_ferritin_comparator",
        "latest_ferritin_on",
        "last_infusion_on",
        "recheck_remind_on",
        "recheck_soon_from",
        "recheck_reason",
        "recheck_estimate_on",
        "recheck_estimate_from",
        "recheck_estimate_to",
    )
]
GROUPS = {"below": urgency.BELOW_UNTREATED, "overdue": urgency.OVERDUE, "soon": urgency.DUE_SOON}
FILTERS = {chip: Q(group=group) for chip, group in GROUPS.items()}
# Column sorts besides the default urgency order, as (column, nulls first?) over the page
# query's columns; each ends in name and id, so pages never overlap.
SORTS = {
    "urgency": [
        ("group", None),  # never null
        ("status__untreated_ratio", False),
        ("status__recheck_remind_on", False),
        ("status__last_infusion_on", True),
    ],
    "name": [],
    "ferritin": [("status__latest_ferritin", False)],
    "recheck": [("status__recheck_remind_on", False)],
    "infusion": [("status__last_infusion_on", True)],
}


# Beside a shared person's name; the account's own people carry no badge.
ROLE_BADGES = {role: label for role, label in ROLE_CHOICES if role != OWNER}


def people_of(user):
    """Everyone the account can see, each with `role`: the account's role, read from the
    membership row the filter joins already (no query of its own)."""
    return Patient.objects.for_user(user).annotate(role=F("memberships__role"))


@dataclass(frozen=True)
class Request:
    """What the person asked for, read leniently: anything unknown falls back to the default."""

    show: str = ""
    query: str = ""
    sort: str = "urgency"
    page: int = 1

    @classmethod
    def from_get(cls, get):
        show = get.get("show", "")
        sort = get.get("sort", "urgency")
        try:
            page = max(1, int(get.get("page", 1)))
        except ValueError:
            page = 1
        return cls(
            show=show if show in FILTERS else "",
            # NUL cannot be stored or searched in PostgreSQL text: it is no name's part.
            query=get.get("q", "").replace("\x00", "").strip()[:120],
            sort=sort if sort in SORTS else "urgency",
            page=page,
        )


def annotated(people, today):
    """Each person with `group` (domain/urgency.py), from their stored row and today."""
    return people.annotate(
        group=Case(
            When(status__untreated_ratio__isnull=False, then=Value(urgency.BELOW_UNTREATED)),
            When(status__recheck_remind_on__lt=Value(today), then=Value(urgency.OVERDUE)),
            When(status__recheck_soon_from__lte=Value(today), then=Value(urgency.DUE_SOON)),
            default=Value(urgency.UPCOMING),
            output_field=IntegerField(),
        )
    )


def chip_aggregates():
    return {"all": Count("pk"), **{name: Count("pk", filter=q) for name, q in FILTERS.items()}}


def counts(people):
    """{'all', 'below', 'overdue', 'soon'} in one query (the filter chips' numbers)."""
    return people.order_by().aggregate(**chip_aggregates())


def matching_people(people, today, asked: Request):
    rows = annotated(people, today)
    if asked.query:
        rows = rows.filter(name__icontains=asked.query)
    if asked.show:
        rows = rows.filter(FILTERS[asked.show])
    return rows


def order_sql(sort, quote):
    terms = [
        f"{quote(column)} ASC" + ("" if nulls_first is None else PLACE_NULLS[nulls_first])
        for column, nulls_first in SORTS[sort]
    ]
    return ", ".join([*terms, f"{quote('name')} ASC", f"{quote('pk')} ASC"])


PLACE_NULLS = {True: " NULLS FIRST", False: " NULLS LAST"}

# What every matching row is read with: what the chips and every sort need. The rest of a
# row (WIDE) is read for the page's rows only where the database can join each of them
# (PostgreSQL's LATERAL); elsewhere t carries all of ROW_FIELDS.
SORTED = ["pk", "name", "role", "group"] + sorted(
    {column for terms in SORTS.values() for column, _ in terms} - {"group"}
)
WIDE = [f for f in ROW_FIELDS if f not in SORTED and f != "snoozed"]

# The page from everyone matching (t): the matching rows are read once, then sorted for the
# page and counted for the chips (cheaper than window counts carried on every row). The
# snoozed mark is the reminder's own status (the sender changes it), looked up for the
# page's rows only.
PAGE_SQL = """WITH t AS ({matching})
SELECT k.*, {wide_columns}EXISTS(SELECT 1 FROM {reminder} r WHERE r.{patient} = k.{pk}
 AND r.{status} = %s) AS {snoozed}, c.*
FROM (SELECT * FROM t ORDER BY {order} LIMIT {limit} OFFSET {offset}) k
{wide_join}CROSS JOIN (SELECT {counts} FROM t) c
ORDER BY {order}"""


def page_query(people, today, asked: Request, number: int):
    """Page `number` of the people matching `asked`, in its order, as a Statement whose rows
    are dicts of ROW_FIELDS and the counts: all four chips' when not filtered, the matching
    number alone when filtered (every row carries them)."""
    alias = people.db
    lateral = connections[alias].vendor == "postgresql"
    quote = connections[alias].ops.quote_name
    matching = statements.of_values(
        matching_people(people, today, asked).order_by().values(*SORTED, *([] if lateral else WIDE))
    )
    if matching is None:  # a filter that nothing can match
        return None
    params, names, converters = [*matching.params], [*matching.names], matching.converters
    params.append(Reminder.SNOOZED)
    wide_columns = wide_join = ""
    if lateral:
        # One person's row by primary key, joined for each of the page's rows; the LIMIT
        # keeps PostgreSQL from flattening it into a join over everyone.
        wide = statements.of_values(
            Patient.objects.filter(pk=RawSQL(f"k.{quote('pk')}", ())).order_by().values(*WIDE)[:1]
        )
        wide_columns, wide_join = "w.*, ", f"CROSS JOIN LATERAL ({wide.sql}) w\n"
        converters = {
            **converters,
            **{len(names) + i: c for i, c in wide.converters.items()},
        }
        names += wide.names
        params += wide.params
    chips = ("all",) if asked.query or asked.show else ("all", *FILTERS)
    counts = [
        "COUNT(*)"
        if chip == "all"
        else f"COUNT(CASE WHEN {quote('group')} = {GROUPS[chip]:d} THEN 1 END)"
        for chip in chips
    ]
    reminder = Reminder._meta
    sql = PAGE_SQL.format(
        matching=matching.sql,
        wide_columns=wide_columns,
        wide_join=wide_join,
        reminder=quote(reminder.db_table),
        patient=quote(reminder.get_field("patient").column),
        status=quote(reminder.get_field("status").column),
        pk=quote("pk"),
        snoozed=quote("snoozed"),
        order=order_sql(asked.sort, quote),
        limit=PAGE_SIZE,
        offset=(number - 1) * PAGE_SIZE,
        counts=", ".join(
            f"{count} AS {quote('n_' + chip)}" for count, chip in zip(counts, chips, strict=True)
        ),
    )
    return dataclasses.replace(
        matching,
        sql=sql,
        params=tuple(params),
        names=(*names, "snoozed", *(f"n_{chip}" for chip in chips)),
        converters=converters,
    )


def page_of(user, today, asked: Request):
    """The rows of the page asked for (dicts of ROW_FIELDS), the chips' counts, and the
    number of matching people: one query, unless filtered (then the chips' counts are a
    second) or the page asked for is past the last (then the last page is read again).

    The page's SQL depends only on the account, today and what was asked, so it is
    compiled once for them (statements.py) and run afresh each time."""

    def read(number):
        return statements.rows(
            ("worklist", user.pk, today, asked, number),
            lambda: page_query(people_of(user), today, asked, number),
        )

    number = asked.page
    found = read(number)
    filtered = bool(asked.query or asked.show)
    if found:
        matching = found[0]["n_all"]
    else:  # nobody matches, or past the last page: count, then read the last page
        matching = matching_people(people_of(user), today, asked).count() if number > 1 else 0
    pages = max(1, -(-matching // PAGE_SIZE))
    if number > pages:
        number = pages
        found = read(number)
    if filtered:
        chip_counts = counts(annotated(people_of(user), today))
    elif found:
        chip_counts = {k: found[0][f"n_{k}"] for k in ("all", *FILTERS)}
    else:
        chip_counts = dict.fromkeys(("all", *FILTERS), 0)
    return found, chip_counts, matching, number, pages


# English month abbreviations, as strftime's %b gives them in the C locale the app runs in
# (Django's date filter costs a translation lookup per call, strftime a call per date).
MONTHS = ("", *"Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())


def day_text(day) -> str:
    """'7 Mar 2026'."""
    return f"{day.day} {MONTHS[day.month]} {day.year}" if day else ""


def month_text(day) -> str:
    """'Mar 2026'."""
    return f"{MONTHS[day.month]} {day.year}"


def shortened(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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
            ferritin = formats.format_result("ferritin", value, comparator, region)
        infused = p["status__last_infusion_on"]
        remind_on = p["status__recheck_remind_on"]
        estimate = ""
        if p["status__recheck_estimate_on"]:
            late = p["status__recheck_estimate_to"]
            estimate = (
                f"Estimate: below around {month_text(p['status__recheck_estimate_on'])} "
                f"({month_text(p['status__recheck_estimate_from'])}–"
                f"{month_text(late) if late else 'later'}, 8 in 10)"
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
            add(f'<div class="small text-body-secondary d-md-none">infusion {days} days ago</div>')
        add("</td><td>")
        if r.ferritin:
            add(f'<span class="{"value-low" if r.group == 1 else ""}">{escape(r.ferritin)}</span>')
            if r.ferritin_flag:
                add(f' <span class="badge text-bg-light border">{escape(r.ferritin_flag)}</span>')
            add(f"{MUTED}{r.ferritin_on}</div>")
        else:
            add('<span class="text-body-secondary">none yet</span>')
        add('</td><td class="d-none d-md-table-cell">')
        if days is not None:
            add(f"{days} days{MUTED}{r.last_infusion_on}</div>")
        else:
            add('<span class="text-body-secondary">no infusion</span>')
        add("</td><td>")
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
    ("below", "Below threshold", "below"),
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
