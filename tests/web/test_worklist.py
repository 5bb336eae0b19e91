import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rlsapp.domain import urgency
from rlsapp.reminders.models import PersonStatus, Reminder
from rlsapp.tracking import services
from rlsapp.tracking.models import Patient
from rlsapp.web.worklist_html import estimate_text, shortened
from tests.reminders.helpers import add_ferritin, add_infusion

TODAY = datetime.date(2026, 11, 29)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 29, 12), tick=False):
        yield


def names(client, **query):
    response = client.get(reverse("worklist"), query)
    assert response.status_code == 200
    return [row.name for row in response.context["rows"]]


def test_far_below_threshold_untreated_comes_before_a_routine_overdue_recheck(owner_client, owner):
    # The case from the review: 19 µg/L and 612 days since the last infusion sat in row 24.
    sick = Patient.objects.create(owner=owner, name="Zoe")
    add_infusion(sick, TODAY - datetime.timedelta(days=612))
    add_ferritin(sick, TODAY - datetime.timedelta(days=300), 19)
    overdue = Patient.objects.create(owner=owner, name="Adam")
    add_ferritin(overdue, TODAY - datetime.timedelta(weeks=20), 113)
    assert names(owner_client) == ["Zoe", "Adam"]


def test_farther_below_the_threshold_comes_first(owner_client, owner):
    for name, value in [("Near", 95), ("Far", 19), ("Middle", 50)]:
        add_ferritin(Patient.objects.create(owner=owner, name=name), TODAY, value)
    assert names(owner_client) == ["Far", "Middle", "Near"]


def test_the_urgency_rule_by_itself():
    assert urgency.untreated_ratio(19, "", TODAY, 100, None) == pytest.approx(0.19)
    assert urgency.untreated_ratio(19, "", TODAY, 100, TODAY) is None  # infused that day
    assert urgency.untreated_ratio(19, ">", TODAY, 100, None) is None  # at least 19
    assert urgency.untreated_ratio(5, "<", TODAY, 100, None) == pytest.approx(0.05)
    assert urgency.untreated_ratio(120, "", TODAY, 100, None) is None
    assert urgency.group(None, TODAY - datetime.timedelta(days=1), None, TODAY) == 2
    assert urgency.group(None, TODAY, TODAY, TODAY) == urgency.DUE_SOON
    assert urgency.group(0.5, None, None, TODAY) == urgency.BELOW_UNTREATED


def test_chips_filter_search_and_sorts(owner_client, owner):
    add_ferritin(Patient.objects.create(owner=owner, name="Low Lena"), TODAY, 40)
    add_ferritin(
        Patient.objects.create(owner=owner, name="Late Lars"),
        TODAY - datetime.timedelta(weeks=20),
        200,
    )
    add_ferritin(Patient.objects.create(owner=owner, name="Fine Fritz"), TODAY, 250)
    assert names(owner_client, show="below") == ["Low Lena"]
    assert names(owner_client, show="overdue") == ["Late Lars"]
    assert names(owner_client, q="fritz") == ["Fine Fritz"]
    assert names(owner_client, sort="name") == ["Fine Fritz", "Late Lars", "Low Lena"]
    assert names(owner_client, sort="ferritin") == ["Low Lena", "Late Lars", "Fine Fritz"]
    # Anything unknown falls back to the default instead of failing.
    assert names(owner_client, show="nonsense", sort="nonsense", page="x")[0] == "Low Lena"
    page = owner_client.get(reverse("worklist"), {"q": "nobody"}).content.decode()
    assert "Nobody matches" in page


def test_fifty_a_page_and_the_query_count_does_not_grow(
    owner_client, owner, django_assert_max_num_queries
):
    for i in range(51):
        add_ferritin(Patient.objects.create(owner=owner, name=f"P{i:02d}"), TODAY, 150 + i)
    # The session, the user, and the page with the chips' counts.
    with django_assert_max_num_queries(3):
        first = owner_client.get(reverse("worklist"))
    assert len(first.context["rows"]) == 50 and first.context["pages"] == 2
    second = owner_client.get(reverse("worklist"), {"page": 2})
    assert len(second.context["rows"]) == 1


def test_the_page_links_keep_the_view_and_quote_the_search(owner_client, owner):
    for i in range(51):
        add_ferritin(Patient.objects.create(owner=owner, name=f"A&b <{i:02d}>"), TODAY, 150 + i)
    link = '<a class="page-link" href="?show=&amp;q=A%26b%20%3C&amp;sort=name&amp;page={}">{}</a>'
    first = owner_client.get(reverse("worklist"), {"q": "A&b <", "sort": "name"}).content.decode()
    assert link.format(2, "Next") in first and "Previous" not in first
    assert '<span class="page-link">Page 1 of 2</span>' in first
    query = {"q": "A&b <", "sort": "name", "page": 2}
    second = owner_client.get(reverse("worklist"), query).content.decode()
    assert link.format(1, "Previous") in second and "Next</a>" not in second
    assert '<span class="page-link">Page 2 of 2</span>' in second
    alone = owner_client.get(reverse("worklist"), {"q": "A&b <01>"}).content.decode()
    assert "page-link" not in alone


def test_the_order_is_explained_on_a_page_of_its_own(owner_client):
    page = owner_client.get(reverse("worklist_order")).content.decode()
    assert "Below the threshold, not treated since" in page
    # "Back to the worklist" went home, which for an account of one person is their page.
    assert f'<a href="{reverse("worklist")}">Back to the worklist</a>' in page


def test_a_nul_in_the_search_is_ignored(owner_client, owner):
    add_ferritin(Patient.objects.create(owner=owner, name="Ann"), TODAY, 150)
    assert names(owner_client, q="An\x00n") == ["Ann"]


def test_a_calendar_address_with_odd_characters_is_a_404(client, db):
    assert client.get("/calendar/%00.ics").status_code == 404


def on(day):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(12)), tick=False)


def stored_rows():
    """What is stored for the worklist and the re-checks, to show nothing was recomputed."""
    return (
        list(PersonStatus.objects.order_by("pk").values()),
        list(Reminder.objects.order_by("pk").values()),
    )


def test_the_groups_and_the_order_move_with_the_date_and_nothing_is_recomputed(owner_client, owner):
    """Overdue and due soon are read against today from the stored dates: as days pass the
    rows change group and place with no job and no write."""
    early = Patient.objects.create(owner=owner, name="Early", due_soon_days=3)
    add_ferritin(early, TODAY - datetime.timedelta(days=10), 200)
    wide = Patient.objects.create(owner=owner, name="Wide", due_soon_days=30)
    add_ferritin(wide, TODAY, 200)
    e, w = (PersonStatus.objects.get(patient=p) for p in (early, wide))
    # Early's re-check comes first, but Wide counts as due soon long before it.
    assert e.recheck_remind_on < w.recheck_remind_on and w.recheck_soon_from < e.recheck_soon_from
    assert (e.recheck_remind_on, w.recheck_soon_from) == (
        Reminder.objects.open().get(patient=early).remind_on,
        Reminder.objects.open().get(patient=wide).soon_from,
    )
    before = stored_rows()
    day = datetime.timedelta(days=1)

    def seen(today):
        with on(today):
            owner_client.force_login(owner)  # a session of that day
            with CaptureQueriesContext(connection) as queries:
                response = owner_client.get(reverse("worklist"))
        assert response.status_code == 200
        assert not [q for q in queries if q["sql"].startswith(("UPDATE", "INSERT", "DELETE"))]
        counts = response.context["counts"]
        rows = [(r.name, r.recheck_label) for r in response.context["rows"]]
        return rows, (counts["overdue"], counts["soon"])

    assert seen(w.recheck_soon_from - day) == (
        [("Early", "upcoming"), ("Wide", "upcoming")],
        (0, 0),
    )
    assert seen(w.recheck_soon_from) == ([("Wide", "due soon"), ("Early", "upcoming")], (0, 1))
    assert seen(e.recheck_soon_from) == ([("Early", "due soon"), ("Wide", "due soon")], (0, 2))
    # On its day a re-check is still due soon; the day after, overdue, and first.
    assert seen(e.recheck_remind_on) == ([("Early", "due soon"), ("Wide", "due soon")], (0, 2))
    assert seen(e.recheck_remind_on + day) == (
        [("Early", "overdue"), ("Wide", "due soon")],
        (1, 1),
    )
    assert seen(w.recheck_remind_on + day) == ([("Early", "overdue"), ("Wide", "overdue")], (2, 0))
    assert stored_rows() == before


def worklist_row(client, name):
    response = client.get(reverse("worklist"))
    row = next(r for r in response.context["rows"] if r.name == name)
    return row, response.context["counts"]


def test_snooze_and_dismiss_move_the_row_the_sender_clears_the_snoozed_mark(owner_client, owner):
    late = Patient.objects.create(owner=owner, name="Late")
    add_ferritin(late, TODAY - datetime.timedelta(weeks=20), 200)
    row, counts = worklist_row(owner_client, "Late")
    assert (row.group, row.recheck_label, counts["overdue"]) == (urgency.OVERDUE, "overdue", 1)

    until = TODAY + datetime.timedelta(days=60)
    reminder = Reminder.objects.open().get(patient=late)
    owner_client.post(reverse("reminder_snooze", args=[reminder.pk]), {"until": until})
    row, counts = worklist_row(owner_client, "Late")
    assert (row.group, row.recheck_on, row.recheck_snoozed) == (
        urgency.UPCOMING,
        f"{until.day} {until:%b %Y}",
        True,
    )
    assert counts["overdue"] == 0
    # The sender changes the status alone (a QuerySet.update): the mark follows it.
    Reminder.objects.filter(pk=reminder.pk).update(status=Reminder.SENT)
    assert worklist_row(owner_client, "Late")[0].recheck_snoozed is False

    owner_client.post(reverse("reminder_dismiss", args=[reminder.pk]))
    row, counts = worklist_row(owner_client, "Late")
    assert (row.group, row.recheck_on, row.recheck_reason) == (urgency.UPCOMING, "", "")
    assert "none scheduled" in owner_client.get(reverse("worklist")).content.decode()


def test_an_admin_edit_of_a_recheck_moves_the_row(owner_client, owner, rf):
    from django.contrib.admin.sites import site

    calm = Patient.objects.create(owner=owner, name="Calm")
    add_ferritin(calm, TODAY, 200)
    reminder = Reminder.objects.open().get(patient=calm)
    reminder.remind_on = TODAY - datetime.timedelta(days=3)
    site._registry[Reminder].save_model(rf.post("/"), reminder, None, True)
    row, counts = worklist_row(owner_client, "Calm")
    assert (row.group, counts["overdue"]) == (urgency.OVERDUE, 1)
    site._registry[Reminder].delete_model(rf.post("/"), reminder)
    assert worklist_row(owner_client, "Calm")[0].recheck_on == ""


def test_an_admin_move_of_a_recheck_to_another_person_follows_on_both(owner_client, owner, rf):
    from django.contrib.admin.sites import site

    calm = Patient.objects.create(owner=owner, name="Calm")
    add_ferritin(calm, TODAY, 200)
    other = Patient.objects.create(owner=owner, name="Other")
    versions = dict(Patient.objects.values_list("pk", "data_version"))
    reminder = Reminder.objects.open().get(patient=calm)
    reminder.patient = other
    site._registry[Reminder].save_model(rf.post("/"), reminder, None, True)
    # Calm has no open re-check any more.
    assert worklist_row(owner_client, "Calm")[0].recheck_on == ""
    # Both people's cached pages are drawn again (the person page shows the re-check).
    after = dict(Patient.objects.values_list("pk", "data_version"))
    assert after[calm.pk] > versions[calm.pk] and after[other.pk] > versions[other.pk]


def test_text_from_the_records_is_escaped_in_the_rows(owner_client, owner):
    odd = Patient.objects.create(owner=owner, name="<b>Ann & 'Bo'</b>")
    add_ferritin(odd, TODAY - datetime.timedelta(days=30), 5, "<")
    page = owner_client.get(reverse("worklist")).content.decode()
    assert "&lt;b&gt;Ann &amp; &#x27;Bo&#x27;&lt;/b&gt;</a>" in page
    assert "<b>Ann" not in page
    assert '<span class="value-low">&lt;5 µg/L</span>' in page


def test_a_page_number_past_any_list_shows_the_last_page(owner_client, owner):
    add_ferritin(Patient.objects.create(owner=owner, name="Ann"), TODAY, 150)
    for page in ("99999999999999999999999999", "9" * 5000, "-3"):
        response = owner_client.get(reverse("worklist"), {"page": page})
        assert response.status_code == 200
        assert [r.name for r in response.context["rows"]] == ["Ann"]


def test_home_for_several_people_costs_what_the_worklist_costs(
    owner_client, owner, django_assert_max_num_queries
):
    for name in ("Ann", "Bea", "Cy"):
        add_ferritin(Patient.objects.create(owner=owner, name=name), TODAY, 150)
    # The session, the user, and the page: whether the account has one person is the
    # page's own count.
    with django_assert_max_num_queries(3):
        response = owner_client.get(reverse("home"))
    assert [r.name for r in response.context["rows"]] == ["Ann", "Bea", "Cy"]


# The worklist reads everyone from their stored rows and memberships (worklist.MATCHING_SQL):
# the row keeps the person's name, and a deleted person has none.


def test_a_renamed_person_is_listed_searched_and_ordered_by_the_new_name(owner_client, owner):
    for name in ("Bea", "Cy"):
        add_ferritin(Patient.objects.create(owner=owner, name=name), TODAY, 150)
    cy = Patient.objects.get(name="Cy")
    cy.name = "Abe"
    services.save_person(cy)
    assert PersonStatus.objects.get(patient=cy).name == "Abe"
    assert names(owner_client, sort="name") == ["Abe", "Bea"]
    assert names(owner_client, q="ab") == ["Abe"]
    assert names(owner_client, q="cy") == []


def test_a_deleted_person_has_no_row_and_an_undo_stores_it_again(owner_client, owner):
    for name in ("Ann", "Bea"):
        add_ferritin(Patient.objects.create(owner=owner, name=name), TODAY, 150)
    ann = Patient.objects.get(name="Ann")
    stored = PersonStatus.objects.filter(patient=ann).values().get()
    services.delete_person(ann)
    assert not PersonStatus.objects.filter(patient=ann).exists()
    assert names(owner_client) == ["Bea"]
    for query in ({}, {"q": "a"}, {"show": "soon"}, {"page": 9}):
        assert owner_client.get(reverse("worklist"), query).context["counts"]["all"] == 1
    services.undo_delete_person(ann)
    assert PersonStatus.objects.filter(patient=ann).values().get() == stored
    assert names(owner_client) == ["Ann", "Bea"]


def test_someone_stored_without_a_row_is_listed_by_their_own_row(owner_client, owner):
    # Made without the services (the person's own row alone): listed by the name on it,
    # left out once deleted, as the people with a stored row are.
    add_ferritin(Patient.objects.create(owner=owner, name="Bea"), TODAY, 150)
    bare = Patient.objects.create(owner=owner, name="Ann")
    gone = Patient.objects.create(owner=owner, name="Cy")
    Patient.objects.filter(pk=gone.pk).update(deleted_at=datetime.datetime.now(datetime.UTC))
    assert not PersonStatus.objects.filter(patient__in=[bare, gone]).exists()
    assert names(owner_client, sort="name") == ["Ann", "Bea"]
    assert names(owner_client, q="an") == ["Ann"]
    response = owner_client.get(reverse("worklist"))
    assert [r.name for r in response.context["rows"]] == ["Bea", "Ann"]  # upcoming, then none
    for query in ({}, {"q": "n"}, {"show": "below"}):
        assert owner_client.get(reverse("worklist"), query).context["counts"]["all"] == 2
    searched = owner_client.get(reverse("worklist"), {"q": "n", "page": 3}).context
    assert (searched["matching"], [r.name for r in searched["rows"]]) == (1, ["Ann"])


# A change whose person was read before another request renamed or deleted them (the
# person is read at the request's start, the row locked only in the service): the stored
# row takes the name and the deleted mark as committed, not the stale instance's.


def test_a_change_read_before_a_rename_stores_the_new_name(owner_client, owner):
    add_ferritin(Patient.objects.create(owner=owner, name="Cy"), TODAY, 150)
    read_before = Patient.objects.get(name="Cy")
    renamed = Patient.objects.get(name="Cy")
    renamed.name = "Abe"
    services.save_person(renamed)
    add_ferritin(read_before, TODAY - datetime.timedelta(days=3), 140)
    assert PersonStatus.objects.get(patient=renamed).name == "Abe"
    assert names(owner_client) == ["Abe"]


def test_a_change_read_before_a_delete_leaves_the_person_off_the_worklist(owner_client, owner):
    for name in ("Ann", "Bea"):
        add_ferritin(Patient.objects.create(owner=owner, name=name), TODAY, 150)
    read_before = Patient.objects.get(name="Ann")
    services.delete_person(Patient.objects.get(name="Ann"))
    add_ferritin(read_before, TODAY - datetime.timedelta(days=3), 140)
    assert not PersonStatus.objects.filter(patient=read_before).exists()
    assert names(owner_client) == ["Bea"]
    assert owner_client.get(reverse("worklist")).context["counts"]["all"] == 1


def test_a_long_reason_is_cut_at_its_first_clause_or_a_space_never_inside_a_word():
    """The worklist cut an estimated re-check's reason at 90 characters: 'Ferritin
    estimated to fall below 100 µg/L most likely in October 2026; between October an…'."""
    reason = (
        "Ferritin estimated to fall below 100 µg/L most likely in October 2026; between "
        "October and November 2026 (this person's own declines)"
    )
    assert (
        shortened(reason) == "Ferritin estimated to fall below 100 µg/L most likely in October 2026"
    )
    around = (
        "Ferritin estimated to fall below 100 µg/L around 3 March 2027 (the population default)"
    )
    assert shortened(around + " and more words to pass the limit") == around.split(" (")[0]
    words = "word " * 30
    assert shortened(words) == ("word " * 18).strip() + "…"
    assert len(shortened(words)) <= 90
    assert shortened("short; kept (whole)") == "short; kept (whole)"


def test_an_infusion_today_or_yesterday_is_said_in_words(owner_client, owner):
    for name, ago in [("Today", 0), ("Yesterday", 1), ("Earlier", 12)]:
        add_infusion(
            Patient.objects.create(owner=owner, name=name), TODAY - datetime.timedelta(ago)
        )
    html = owner_client.get(reverse("worklist")).content.decode()
    for words in ("infusion today<", "infusion 1 day ago", "infusion 12 days ago"):
        assert words in html
    assert ">today<div" in html and ">1 day<div" in html and ">12 days<div" in html
    assert "0 days" not in html and "1 days" not in html


def test_the_table_says_its_order_only_when_it_is_the_urgency_order(owner_client, owner):
    """Sorted by name, the table's caption still told a screen reader 'the most urgent
    first'; and a label for a sort control that does not exist ('Order by', for an id no
    element has) was read out in the middle of the sentence."""
    add_ferritin(Patient.objects.create(owner=owner, name="Ann"), TODAY, 50)
    by_urgency = owner_client.get(reverse("worklist")).content.decode()
    by_name = owner_client.get(reverse("worklist"), {"sort": "name"}).content.decode()
    assert "the most urgent first</caption>" in by_urgency
    assert "the most urgent first" not in by_name
    for html in (by_urgency, by_name):
        for target in re.findall(r'<label[^>]*for="([^"]+)"', html):
            assert f'id="{target}"' in html, target


def test_an_estimate_window_within_one_month_names_the_month_once():
    """Four results exactly on a line gave the worklist 'Estimate: below around Apr 2026
    (Apr 2026–Apr 2026, 8 in 10)'."""
    day = datetime.date
    assert estimate_text(day(2026, 4, 13), day(2026, 4, 13), day(2026, 4, 13)) == (
        "Estimate: below around Apr 2026 (Apr 2026, 8 in 10)"
    )
    assert estimate_text(day(2026, 4, 13), day(2026, 2, 1), day(2026, 5, 30)) == (
        "Estimate: below around Apr 2026 (Feb 2026–May 2026, 8 in 10)"
    )
    assert estimate_text(day(2026, 4, 13), day(2026, 2, 1), None) == (
        "Estimate: below around Apr 2026 (Feb 2026–later, 8 in 10)"
    )


def test_the_below_chip_says_it_leaves_out_those_infused_since(owner_client, owner):
    """Rows of ferritin below the threshold carry a 'below threshold' flag, infused since or
    not, but the chip called 'Below threshold' counted and showed only those not infused
    since: a clinician filtering by it missed the others without a word of why."""
    treated = Patient.objects.create(owner=owner, name="Treated")
    add_ferritin(treated, TODAY - datetime.timedelta(days=30), 40)
    add_infusion(treated, TODAY - datetime.timedelta(days=20))
    add_ferritin(Patient.objects.create(owner=owner, name="Untreated"), TODAY, 40)
    html = owner_client.get(reverse("worklist")).content.decode()
    assert html.count("below threshold 100") == 2
    assert re.search(r"Below threshold, no infusion since <span[^>]*>1</span>", html)
