"""On a cache hit a page runs only what its uncached parts need (bench/ measures the cost)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rlsapp.reminders.services import sync_patient
from rlsapp.tracking import services
from rlsapp.tracking.models import Patient
from rlsapp.web.worklist import PAGE_SIZE as WORKLIST_PAGE_SIZE

from .test_query_counts import add_history


def queries_on_second_view(client, url):
    cache.clear()
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_a_new_person_counts_at_once(owner_client, owner, today):
    for i in range(WORKLIST_PAGE_SIZE):
        services.save_person(Patient(owner=owner, name=f"P{i:03d}"))
    assert owner_client.get(reverse("worklist")).context["pages"] == 1
    services.save_person(Patient(owner=owner, name="One more"))
    assert owner_client.get(reverse("worklist")).context["pages"] == 2


def test_a_cached_patient_page_reads_only_the_session_the_user_and_the_access_check(
    owner_client, patient, today
):
    add_history(patient, 20, today)
    assert sync_patient(patient) is not None  # as every patient in bench/ has one
    sql = queries_on_second_view(owner_client, patient.get_absolute_url())
    # The session, the user, the access check (which reads the person's version) and the
    # access log's one row.
    assert len(sql) == 4
    assert sql[-1].startswith('INSERT INTO "tracking_accesslogentry"')


def test_a_cached_chart_json_reads_only_the_session_the_user_and_the_access_check(
    owner_client, patient, today
):
    add_history(patient, 20, today)
    sql = queries_on_second_view(owner_client, reverse("patient_chart_data", args=[patient.pk]))
    assert len(sql) == 3  # the session, the user and the access check


def test_the_second_worklist_page_holds_the_next_patients_in_urgency_order(
    owner_client, owner, today
):
    for i in range(WORKLIST_PAGE_SIZE + 5):
        patient = services.save_person(Patient(owner=owner, name=f"P{i:03d}"))
        if i % 7 == 0:
            add_history(patient, 2, today)
    first = owner_client.get(reverse("worklist")).context["rows"]
    second = owner_client.get(reverse("worklist"), {"page": 2})
    ordered = [p.name for p in first] + [p.name for p in second.context["rows"]]
    assert sorted(ordered) == sorted(p.name for p in Patient.objects.all())
    assert (second.context["number"], second.context["pages"]) == (2, 2)
    html = owner_client.get(reverse("worklist"), {"page": 2}).content.decode()
    assert ordered[-1] in html and ordered[0] not in html


@pytest.mark.parametrize("asked, shown", [("0", 1), ("99", 2), ("next", 1)])
def test_a_page_number_out_of_range_shows_the_nearest_page(owner_client, owner, asked, shown):
    for i in range(WORKLIST_PAGE_SIZE + 1):
        services.save_person(Patient(owner=owner, name=f"P{i:03d}"))
    response = owner_client.get(reverse("worklist"), {"page": asked})
    assert f"Page {shown} of 2" in response.content.decode()
