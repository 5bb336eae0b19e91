"""Pages run a constant number of queries however much history there is."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rlsapp.tracking.memberships import Membership
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, Patient, SymptomScore
from rlsapp.tracking.versions import bump_person_versions
from tests.reminders.helpers import add_medicine

WORKLIST_BUDGET = 10
# The session, the user, the person, the results, the other records (the medicines'
# events among them) in one statement, and the access log's row.
PATIENT_PAGE_BUDGET = 6
# A person's other pages: the record lists, the report, the chart data.
PERSON_PAGES_BUDGET = 12


def add_history(patient, draws, today):
    made = LabDraw.objects.bulk_create(
        LabDraw(patient=patient, drawn_on=today - datetime.timedelta(days=7 * i))
        for i in range(draws)
    )
    LabResult.objects.bulk_create(
        LabResult(draw=d, analyte=a, value=v, entered_value=str(v), entered_unit=u)
        for d in made
        for a, v, u in [("ferritin", 80, "µg/L"), ("hemoglobin", 13, "g/dL")]
    )
    Infusion.objects.bulk_create(
        Infusion(patient=patient, given_on=today - datetime.timedelta(days=180 * i))
        for i in range(max(1, draws // 25))
    )
    SymptomScore.objects.bulk_create(
        SymptomScore(patient=patient, recorded_on=today - datetime.timedelta(days=i), severity=3)
        for i in range(max(1, draws // 5))
    )
    bump_person_versions([patient.pk])  # as the services do: bulk_create bypasses them


def count_queries(client, url, cached=False):
    """Queries for one request; by default with nothing cached, the most a page can run."""
    if not cached:
        cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_worklist_queries_do_not_grow_with_patients(owner_client, owner, today):
    first = Patient.objects.create(owner=owner, name="P0")
    add_history(first, 3, today)
    small = count_queries(owner_client, reverse("worklist"))
    for i in range(1, 200):
        add_history(Patient.objects.create(owner=owner, name=f"P{i}"), 3, today)
    large = count_queries(owner_client, reverse("worklist"))
    assert small == large <= WORKLIST_BUDGET


def test_patient_page_queries_do_not_grow_with_history(
    owner_client, patient, owner, today, django_assert_max_num_queries
):
    add_history(patient, 1, today)
    add_medicine(patient, today)
    small = count_queries(owner_client, patient.get_absolute_url())
    add_history(patient, 500, today - datetime.timedelta(days=1))
    cache.clear()
    with django_assert_max_num_queries(PATIENT_PAGE_BUDGET):
        owner_client.get(patient.get_absolute_url())
    assert count_queries(owner_client, patient.get_absolute_url()) == small


@pytest.mark.parametrize("kind", ["draw", "infusion", "symptom"])
def test_record_lists_are_constant_too(owner_client, patient, today, kind):
    add_history(patient, 5, today)
    url = reverse(f"{kind}_list", args=[patient.pk])
    small = count_queries(owner_client, url)
    add_history(patient, 300, today - datetime.timedelta(days=1))
    assert count_queries(owner_client, url) == small <= PERSON_PAGES_BUDGET


def test_a_second_view_of_an_unchanged_page_runs_fewer_queries(owner_client, patient, today):
    add_history(patient, 50, today)
    for url in [patient.get_absolute_url()]:
        first = count_queries(owner_client, url)
        again = count_queries(owner_client, url, cached=True)
        assert again < first


def shared_with(account, person, role):
    Membership.objects.create(person=person, account=account, role=role)


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_the_worklist_of_shared_people_costs_what_owned_people_cost(
    owner_client, owner, make_user, client, today, role
):
    """A clinician whose 200 people are all shared with her by their owners."""
    clinician = make_user("clinic@example.com")
    client.force_login(clinician)
    for i in range(200):
        person = Patient.objects.create(owner=owner, name=f"P{i}")
        add_history(person, 3, today)
        shared_with(clinician, person, role)
        if i == 0:
            small = count_queries(client, reverse("worklist"))
    shared = count_queries(client, reverse("worklist"))
    owned = count_queries(owner_client, reverse("worklist"))
    assert small == shared == owned <= WORKLIST_BUDGET


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_a_shared_persons_page_costs_what_the_owners_costs(
    owner_client, patient, make_user, client, today, role
):
    member = make_user("member@example.com")
    shared_with(member, patient, role)
    client.force_login(member)
    add_history(patient, 500, today)
    for name in ("patient_detail", "draw_list", "patient_report", "patient_chart_data"):
        url = reverse(name, args=[patient.pk])
        shared, owned = count_queries(client, url), count_queries(owner_client, url)
        assert shared == owned, name
        budget = PATIENT_PAGE_BUDGET if name == "patient_detail" else PERSON_PAGES_BUDGET
        assert shared <= budget, name
    first = count_queries(client, patient.get_absolute_url())
    assert count_queries(client, patient.get_absolute_url(), cached=True) < first
