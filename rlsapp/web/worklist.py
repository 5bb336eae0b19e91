"""The worklist's rows, order, filters and counts: one query for the default view (two with
a filter or search), whatever the number of people.

The order is domain/urgency.py's, in SQL, over one stored row per person
(reminders.PersonStatus, with the person's name) joined to the account's memberships,
written by hand (MATCHING_SQL) so that the people's own rows are not read for everyone
(the ORM joins them on the way to the stored row): group 1 (below the
threshold, untreated since) rests on PersonStatus.untreated_ratio, stored by the
scheduler when records change; groups 2-4 compare the open re-check's dates, stored on
the same row, with today when the page is read, so nothing stored goes stale as days pass.
"""

import dataclasses
from dataclasses import dataclass

from django.db import connections

from rlsapp.domain import urgency
from rlsapp.reminders.models import PersonStatus, Reminder
from rlsapp.tracking import compiled
from rlsapp.tracking.memberships import Membership
from rlsapp.tracking.models import Patient

PAGE_SIZE = 50
LAST_PAGE = 10**9
# What a row shows: the person, the account's role, and their stored row (PersonStatus).
ROW_FIELDS = ["pk", "name", "birth_date", "ferritin_threshold", "role", "group", "snoozed"] + [
    f"status__{f}"
    for f in (
        "latest_ferritin",
        "latest_ferritin_comparator",
        "latest_ferritin_on",
        "latest_ferritin_left_out",
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
CHIPS = ("all", *GROUPS)
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
            # Past the last page shows the last; a number past any list's end is cut to one
            # the database's offsets can hold.
            page = min(max(1, int(get.get("page", 1))), LAST_PAGE)
        except ValueError:
            page = 1
        return cls(
            show=show if show in GROUPS else "",
            # NUL cannot be stored or searched in PostgreSQL text: it is no name's part.
            query=get.get("q", "").replace("\x00", "").strip()[:120],
            sort=sort if sort in SORTS else "urgency",
            page=page,
        )


def order_sql(sort, quote):
    terms = [
        f"{quote(column)} ASC" + ("" if nulls_first is None else PLACE_NULLS[nulls_first])
        for column, nulls_first in SORTS[sort]
    ]
    return ", ".join([*terms, f"{quote('name')} ASC", f"{quote('pk')} ASC"])


PLACE_NULLS = {True: " NULLS FIRST", False: " NULLS LAST"}


def read_columns(sort):
    """(narrow, wide): what every matching row is read with (what the chips and this sort
    need), and the rest of a row, read for the page's rows only. The fewer columns every
    row carries, the less the database has to hold and sort."""
    narrow = ["pk", "name", "role", "group"]
    narrow += [column for column, _ in SORTS[sort] if column not in narrow]
    return narrow, [f for f in ROW_FIELDS if f not in narrow and f != "snoozed"]


# Everyone the account sees, from their memberships and stored rows (PersonStatus): the
# name is stored there too, and a deleted person has no row, so the people's own rows are
# read only for someone stored without one (made without the services), never for the
# rest. The same people as Patient.objects.for_user's, deleted ones left out as it does.
MATCHING_SQL = """SELECT m.{person} AS {pk}, COALESCE(s.{name},
 (SELECT p.{name} FROM {patient} p WHERE p.{id} = m.{person})) AS {name}, m.{role} AS {role},
 CASE WHEN s.{ratio} IS NOT NULL THEN {below:d} WHEN s.{remind_on} < %s THEN {overdue:d}
 WHEN s.{soon_from} <= %s THEN {soon:d} ELSE {upcoming:d} END AS {group}{columns}
FROM {membership} m LEFT JOIN {status} s ON s.{status_pk} = m.{person}
WHERE m.{account} = %s AND CASE WHEN s.{status_pk} IS NULL
 THEN (SELECT p.{deleted_at} IS NULL FROM {patient} p WHERE p.{id} = m.{person}) ELSE TRUE END"""

# The page from everyone matching (t): the matching rows are read once, then sorted for the
# page and counted for the chips (cheaper than window counts carried on every row). The
# snoozed mark is the reminder's own status (the sender changes it), looked up for the
# page's rows only.
PAGE_SQL = """WITH t AS ({matching})
SELECT k.*, {wide_columns}EXISTS(SELECT 1 FROM {reminder} r WHERE r.{patient} = k.{pk}
 AND r.{status} = %s) AS {snoozed}, c.*
FROM (SELECT * FROM t ORDER BY {order} LIMIT {limit:d} OFFSET {offset:d}) k
{wide_join}CROSS JOIN (SELECT {counts} FROM t) c
ORDER BY {order}"""

# The page's rows' other columns: on PostgreSQL one person's rows by primary key, joined
# for each of the page's rows (the LIMIT keeps it from flattening them into a join over
# everyone); elsewhere the same joins on the page's rows.
WIDE_LATERAL = """CROSS JOIN LATERAL (SELECT {columns} FROM {patient} wp
 LEFT JOIN {status} ws ON ws.{status_pk} = wp.{id} WHERE wp.{id} = k.{pk} LIMIT 1) w
"""
WIDE_JOINS = """INNER JOIN {patient} wp ON wp.{id} = k.{pk}
 LEFT JOIN {status} ws ON ws.{status_pk} = k.{pk}
"""


def matching_sql(account_id, today, asked: Request, columns=(), quote=None):
    """(SQL, params) of everyone the account sees who matches `asked`, each with pk, name,
    role, group and the stored `columns` (status__ names)."""
    quote = quote or connections["default"].ops.quote_name
    ops = connections["default"].ops
    status, membership = PersonStatus._meta, Membership._meta
    names = {
        "person": membership.get_field("person").column,
        "role": membership.get_field("role").column,
        "account": membership.get_field("account").column,
        "status_pk": status.pk.column,
        "ratio": status.get_field("untreated_ratio").column,
        "remind_on": status.get_field("recheck_remind_on").column,
        "soon_from": status.get_field("recheck_soon_from").column,
        "id": Patient._meta.pk.column,
        "deleted_at": Patient._meta.get_field("deleted_at").column,
        "pk": "pk",
        "name": "name",
        "group": "group",
    }
    sql = MATCHING_SQL.format(
        **{key: quote(value) for key, value in names.items()},
        patient=quote(Patient._meta.db_table),
        membership=quote(membership.db_table),
        status=quote(status.db_table),
        columns="".join(
            f", s.{quote(status.get_field(c.removeprefix('status__')).column)} AS {quote(c)}"
            for c in columns
        ),
        below=urgency.BELOW_UNTREATED,
        overdue=urgency.OVERDUE,
        soon=urgency.DUE_SOON,
        upcoming=urgency.UPCOMING,
    )
    params = [today, today, account_id]
    wheres = []
    if asked.query:
        # As the icontains lookup writes it.
        name = ops.lookup_cast("icontains", "CharField") % quote("name")
        wheres.append(f"{name} {connections['default'].operators['icontains'] % '%s'}")
        params.append(f"%{ops.prep_for_like_query(asked.query)}%")
    if asked.show:
        wheres.append(f"{quote('group')} = {GROUPS[asked.show]:d}")
    if wheres:
        sql = f"SELECT * FROM ({sql}) i WHERE {' AND '.join(wheres)}"
    return sql, params


def page_query(user, today, asked: Request, number: int):
    """Page `number` of the people matching `asked`, in its order, as a Statement whose rows
    are dicts of ROW_FIELDS, the sort columns and the counts: all four chips' when not
    filtered, the matching number alone when filtered (every row carries them)."""
    connection = connections["default"]
    lateral = connection.vendor == "postgresql"
    quote = connection.ops.quote_name
    narrow, wide_fields = read_columns(asked.sort)
    sql, params = matching_sql(user.pk, today, asked, narrow[4:], quote)
    params.append(Reminder.SNOOZED)
    status = PersonStatus._meta

    def wide(field):
        if field.startswith("status__"):
            return f"ws.{quote(status.get_field(field.removeprefix('status__')).column)}"
        return f"wp.{quote(Patient._meta.get_field(field).column)}"

    columns = ", ".join(f"{wide(f)} AS {quote(f)}" for f in wide_fields)
    joins = {
        "patient": quote(Patient._meta.db_table),
        "status": quote(status.db_table),
        "status_pk": quote(status.pk.column),
        "id": quote(Patient._meta.pk.column),
        "pk": quote("pk"),
    }
    if lateral:
        wide_columns = "w.*, "
        wide_join = WIDE_LATERAL.format(columns=columns, **joins)
    else:
        wide_columns, wide_join = f"{columns}, ", WIDE_JOINS.format(**joins)
    chips = ("all",) if asked.query or asked.show else CHIPS
    reminder = Reminder._meta
    # The page is written into the text, not a parameter: with an unknown LIMIT,
    # PostgreSQL plans for a share of every matching row instead of one page of them.
    sql = PAGE_SQL.format(
        matching=sql,
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
        counts=counts_sql(chips, quote),
    )
    names = (*narrow, *wide_fields, "snoozed", *(f"n_{chip}" for chip in chips))
    return compiled.Statement("default", sql, tuple(params), names)


def counts_sql(chips, quote) -> str:
    """The select list of the chips' counts (n_all, n_below, ...) over the matching rows."""
    return ", ".join(
        (
            "COUNT(*)"
            if chip == "all"
            else f"COUNT(CASE WHEN {quote('group')} = {GROUPS[chip]:d} THEN 1 END)"
        )
        + f" AS {quote('n_' + chip)}"
        for chip in chips
    )


def counts_query(user, today, asked: Request, chips):
    """The counts of the people matching `asked` (the chips given) as a Statement."""
    quote = connections["default"].ops.quote_name
    sql, params = matching_sql(user.pk, today, asked, (), quote)
    sql = f"SELECT {counts_sql(chips, quote)} FROM ({sql}) t"
    names = tuple(f"n_{chip}" for chip in chips)
    return compiled.Statement("default", sql, tuple(params), names)


def page_of(user, today, asked: Request):
    """The rows of the page asked for (dicts of ROW_FIELDS), the chips' counts, and the
    number of matching people: one query, unless filtered (then the chips' counts are a
    second) or the page asked for is past the last (then the last page is read again).

    The page's SQL depends only on the account, today and what was asked, so it is
    compiled once for them (tracking/compiled.py) and run afresh each time."""

    def read(number):
        return compiled.rows(
            ("worklist", user.pk, today, asked, number),
            lambda: page_query(user, today, asked, number),
        )

    def count(asked, chips):
        (found,) = compiled.rows(
            ("worklist counts", user.pk, today, asked, chips),
            lambda: counts_query(user, today, asked, chips),
        )
        return {chip: found[f"n_{chip}"] for chip in chips}

    number = asked.page
    found = read(number)
    filtered = bool(asked.query or asked.show)
    if found:
        matching = found[0]["n_all"]
    else:  # nobody matches, or past the last page: count, then read the last page
        everyone = dataclasses.replace(asked, page=1)
        matching = count(everyone, ("all",))["all"] if number > 1 else 0
    pages = max(1, -(-matching // PAGE_SIZE))
    if number > pages:
        number = pages
        found = read(number)
    if filtered:
        chip_counts = count(Request(), CHIPS)
    elif found:
        chip_counts = {chip: found[0][f"n_{chip}"] for chip in CHIPS}
    else:
        chip_counts = dict.fromkeys(CHIPS, 0)
    return found, chip_counts, matching, number, pages
