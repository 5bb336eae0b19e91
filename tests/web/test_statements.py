"""A page query compiled once gives what the queryset itself gives, every time."""

import datetime

import pytest

from rlsapp.reminders import services as reminders
from rlsapp.reminders.models import Reminder
from rlsapp.tracking.models import Patient
from rlsapp.web import statements
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


@pytest.mark.parametrize(
    "asked",
    [
        w.Request(),
        w.Request(sort="name"),
        w.Request(show="below"),
        w.Request(query="la"),
        w.Request(page=2),
    ],
)
def test_the_same_rows_as_the_queryset_gives_on_each_run(owner, people, asked):
    def build():
        return w.page_query(w.people_of(owner), TODAY, asked, asked.page)

    expected = list(build())
    key = ("test", owner.pk, TODAY, asked)
    assert statements.values_rows(key, build) == expected
    # Run again from the compiled statement: the data is read afresh.
    Patient.objects.filter(name="Nobody yet").update(name="Now named")
    again = list(build())
    assert statements.values_rows(key, lambda: pytest.fail("compiled again")) == again
    if asked == w.Request():
        assert [r["name"] for r in again] == ["Low", "Late", "Now named"]
        low = again[0]
        assert (low["status__latest_ferritin_comparator"], low["birth_date"]) == (
            "<",
            datetime.date(1970, 1, 2),
        )
        assert [r["snoozed"] for r in again] == [False, True, False]
        assert (low["n_all"], low["n_below"]) == (3, 1)


def test_a_filter_that_nothing_can_match_is_no_rows(owner):
    def build():
        return Patient.objects.none().values("pk")

    assert statements.values_rows(("none", owner.pk), build) == []


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
    kept = statements._local.__dict__.setdefault("kept", {})
    kept.clear()
    for number in range(statements.KEPT + 10):
        names_and_groups(owner, TODAY, w.Request(query=f"q{number}"))
        assert len(kept) <= statements.KEPT
    assert names_and_groups(owner, TODAY, w.Request(query="lo"))[0] == [("Low", 1)]
