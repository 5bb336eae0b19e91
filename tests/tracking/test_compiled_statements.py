"""A page query compiled once gives what the queryset itself gives, every time."""

import dataclasses
import datetime

import pytest
from django.db import connection
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Value, When, Window
from django.test.utils import CaptureQueriesContext

from rlsapp.domain import urgency
from rlsapp.reminders import services as reminders
from rlsapp.reminders.models import Reminder
from rlsapp.tracking import compiled
from rlsapp.tracking.models import Patient
from rlsapp.web import worklist as w
from tests.reminders.helpers import add_ferritin, add_infusion

TODAY = datetime.date(2026, 11, 29)


@pytest.fixture
def people(owner):
    low = Patient.objects.create(owner=owner, name="Low", birth_date=datetime.date(1970, 1, 2))
    add_infusion(low, TODAY - datetime.timedelta(days=400))
    add_ferritin(low, TODAY - datetime.timedelta(days=30), 19, "<")
    late = Patient.objects.create(owner=owner, name="Late")
    add_ferritin(late, TODAY - datetime.timedelta(weeks=20), 200.5)
    reminders.snooze(Reminder.objects.open().get(patient=late), TODAY + datetime.timedelta(days=9))
    Patient.objects.create(owner=owner, name="Nobody yet")


# The page as a plain queryset says it (window counts on every row, the snoozed mark as a
# subquery): what the compiled page statement must give, row for row.
REFERENCE_ORDER = {
    "urgency": [
        "group",
        F("status__untreated_ratio").asc(nulls_last=True),
        F("status__recheck_remind_on").asc(nulls_last=True),
        F("status__last_infusion_on").asc(nulls_first=True),
    ],
    "name": [],
    "ferritin": [F("status__latest_ferritin").asc(nulls_last=True)],
    "recheck": [F("status__recheck_remind_on").asc(nulls_last=True)],
    "infusion": [F("status__last_infusion_on").asc(nulls_first=True)],
}


def matching_people(user, today, asked):
    """Who the page lists, as the ORM says it: the account's people (the person's own row
    joined), each with the account's role and their group from the stored row and today."""
    rows = (
        Patient.objects.for_user(user)
        .annotate(role=F("memberships__role"))
        .annotate(
            group=Case(
                When(status__untreated_ratio__isnull=False, then=Value(urgency.BELOW_UNTREATED)),
                When(status__recheck_remind_on__lt=Value(today), then=Value(urgency.OVERDUE)),
                When(status__recheck_soon_from__lte=Value(today), then=Value(urgency.DUE_SOON)),
                default=Value(urgency.UPCOMING),
                output_field=IntegerField(),
            )
        )
    )
    if asked.query:
        rows = rows.filter(name__icontains=asked.query)
    if asked.show:
        rows = rows.filter(group=w.GROUPS[asked.show])
    return rows


def reference_page(user, today, asked):
    filtered = asked.query or asked.show
    windows = {"all": Count("pk")}
    if not filtered:
        windows |= {chip: Count("pk", filter=Q(group=g)) for chip, g in w.GROUPS.items()}
    snoozed = Exists(
        Reminder.objects.filter(patient=OuterRef("pk"), status=Reminder.SNOOZED).values("pk")
    )
    rows = (
        matching_people(user, today, asked)
        .annotate(snoozed=snoozed, **{f"n_{k}": Window(v) for k, v in windows.items()})
        .order_by(*REFERENCE_ORDER[asked.sort], "name", "pk")
        .values(*w.ROW_FIELDS, *(f"n_{k}" for k in windows))
    )
    number = asked.page
    return list(rows[(number - 1) * w.PAGE_SIZE : number * w.PAGE_SIZE])


def page_rows(user, asked, key):
    found = compiled.rows(key, lambda: w.page_query(user, TODAY, asked, asked.page))
    for row in found:
        row.pop("status__untreated_ratio", None)  # read for the urgency order, not shown
    return found


@pytest.mark.parametrize("sort", list(w.SORTS))
@pytest.mark.parametrize(
    "asked",
    [
        w.Request(),
        w.Request(show="below"),
        w.Request(show="soon"),
        w.Request(query="la"),
        w.Request(page=2),
    ],
)
def test_the_same_rows_as_the_queryset_gives_on_each_run(owner, people, asked, sort):
    asked = dataclasses.replace(asked, sort=sort)
    expected = reference_page(owner, TODAY, asked)
    key = ("test", owner.pk, TODAY, asked)
    assert page_rows(owner, asked, key) == expected
    # Run again from the compiled statement: the data is read afresh.
    Patient.objects.filter(name="Nobody yet").update(name="Now named")
    again = reference_page(owner, TODAY, asked)
    assert page_rows(owner, asked, key) == again
    if asked == w.Request():
        assert [r["name"] for r in again] == ["Low", "Late", "Now named"]
        low = again[0]
        assert (low["status__latest_ferritin_comparator"], low["birth_date"]) == (
            "<",
            datetime.date(1970, 1, 2),
        )
        assert [r["snoozed"] for r in again] == [False, True, False]
        assert (low["n_all"], low["n_below"]) == (3, 1)


def test_a_page_in_every_order_on_more_people_than_a_page(owner, people):
    # Ties and nulls in every sort column, over three pages: the page statement and the
    # queryset agree on every row.
    for i in range(110):
        person = Patient.objects.create(owner=owner, name=f"P{i % 7}")
        if i % 3:
            add_ferritin(person, TODAY - datetime.timedelta(weeks=i % 30), 20 + i % 4 * 30)
        if i % 5 == 0:
            add_infusion(person, TODAY - datetime.timedelta(days=100 * (i % 4)))
    for sort in w.SORTS:
        for number in (1, 2, 3):
            asked = w.Request(sort=sort, page=number)
            assert page_rows(owner, asked, ("many", asked)) == reference_page(owner, TODAY, asked)


def names_and_groups(user, today, asked=None):
    found, chip_counts, *_ = w.page_of(user, today, asked or w.Request())
    return [(r["name"], r["group"]) for r in found], chip_counts


def test_two_accounts_and_two_days_never_share_a_compiled_page(owner, make_user, people):
    # The page's real key (page_of's): a key missing the account or the day would show one
    # account another's worklist, or yesterday's groups today.
    bob = make_user("bob@example.com")
    bobs = Patient.objects.create(owner=bob, name="Bob's")
    add_ferritin(bobs, TODAY - datetime.timedelta(weeks=20), 150)
    assert names_and_groups(owner, TODAY)[0] == [
        ("Low", 1),
        ("Late", 3),
        ("Nobody yet", 4),
    ]
    assert names_and_groups(bob, TODAY)[0] == [("Bob's", 2)]  # overdue today
    long_ago = TODAY - datetime.timedelta(weeks=19)
    assert names_and_groups(bob, long_ago)[0] == [("Bob's", 4)]  # upcoming then
    assert names_and_groups(bob, TODAY)[0] == [("Bob's", 2)]


def test_a_search_or_chip_changes_the_rows_and_the_counts(owner, people):
    assert names_and_groups(owner, TODAY, w.Request(query="la"))[0] == [("Late", 3)]
    assert names_and_groups(owner, TODAY, w.Request(query="lo"))[0] == [("Low", 1)]
    assert names_and_groups(owner, TODAY, w.Request(query="LO"))[0] == [("Low", 1)]
    below, counts = names_and_groups(owner, TODAY, w.Request(show="below"))
    assert below == [("Low", 1)] and (counts["all"], counts["below"]) == (3, 1)
    assert names_and_groups(owner, TODAY, w.Request(show="overdue"))[0] == []
    assert names_and_groups(owner, TODAY, w.Request(sort="name"))[0][0] == ("Late", 3)


def test_the_kept_set_stays_bounded_whatever_is_typed(owner, people):
    # Each search text and page number is a statement of its own: the set is dropped whole
    # when full, never grown past KEPT.
    kept = compiled._local.__dict__.setdefault("kept", {})
    kept.clear()
    for number in range(compiled.KEPT + 10):
        names_and_groups(owner, TODAY, w.Request(query=f"q{number}"))
        assert len(kept) <= compiled.KEPT
    assert names_and_groups(owner, TODAY, w.Request(query="lo"))[0] == [("Low", 1)]


def prepared_pages():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'WITH t%'")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares statements")
def test_on_postgresql_the_page_is_prepared_once_and_logged(owner, people):
    asked = w.Request()
    expected = reference_page(owner, TODAY, asked)
    assert prepared_pages() == 0
    with CaptureQueriesContext(connection) as queries:
        assert page_rows(owner, asked, ("prepared", asked)) == expected
    assert prepared_pages() == 1
    assert [q["sql"][:9] for q in queries] == ["WITH t AS"]
    Patient.objects.filter(name="Nobody yet").update(name="Now named")
    assert page_rows(owner, asked, ("prepared", asked)) == reference_page(owner, TODAY, asked)
    assert prepared_pages() == 1
    # Django's own queries stay unprepared, as Django configures them.
    assert connection.connection.prepare_threshold is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares statements")
def test_prepared_statements_can_be_turned_off(owner, people, settings):
    settings.PREPARED_STATEMENTS = False
    asked = w.Request()
    assert page_rows(owner, asked, ("unprepared", asked)) == reference_page(owner, TODAY, asked)
    assert prepared_pages() == 0
