import datetime

import pytest
import time_machine
from django.urls import reverse

from rlsapp.domain import urgency
from rlsapp.tracking.models import Patient
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
    with django_assert_max_num_queries(6):
        first = owner_client.get(reverse("worklist"))
    assert len(first.context["rows"]) == 50 and first.context["pages"] == 2
    second = owner_client.get(reverse("worklist"), {"page": 2})
    assert len(second.context["rows"]) == 1


def test_the_order_is_explained_on_a_page_of_its_own(owner_client):
    page = owner_client.get(reverse("worklist_order")).content.decode()
    assert "Below the threshold, not treated since" in page


def test_a_nul_in_the_search_is_ignored(owner_client, owner):
    add_ferritin(Patient.objects.create(owner=owner, name="Ann"), TODAY, 150)
    assert names(owner_client, q="An\x00n") == ["Ann"]


def test_a_calendar_address_with_odd_characters_is_a_404(client, db):
    assert client.get("/calendar/%00.ics").status_code == 404
