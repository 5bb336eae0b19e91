"""What each role is offered (buttons a role may not use are hidden; the views refuse them
anyway: tests/test_isolation.py), and the account-wide forms that touch people."""

import pytest
from django.test import Client
from django.urls import reverse

from rlsapp.tracking.memberships import EDITOR, VIEWER, Membership
from rlsapp.tracking.models import Patient
from tests.reminders.helpers import add_ferritin

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(make_user, patient):
    def make(role):
        account = make_user(f"{role}@example.com")
        Membership.objects.create(person=patient, account=account, role=role)
        client = Client()
        client.force_login(account)
        return account, client

    return make


def links(patient, draw):
    return {
        "add": reverse("draw_create", args=[patient.pk]),
        "edit": reverse("draw_edit", args=[draw.pk]),
        "settings": reverse("patient_edit", args=[patient.pk]),
        "delete person": reverse("patient_delete", args=[patient.pk]),
        "people": reverse("patient_people", args=[patient.pk]),
        "leave": reverse("patient_leave", args=[patient.pk]),
        "import": reverse("patient_import", args=[patient.pk]),
        "report": reverse("patient_report", args=[patient.pk]),
    }


@pytest.mark.parametrize(
    "role, shown",
    [
        ("owner", {"add", "edit", "settings", "delete person", "people", "import", "report"}),
        (EDITOR, {"add", "edit", "settings", "leave", "import", "report"}),
        (VIEWER, {"leave", "report"}),
    ],
)
def test_the_person_page_offers_what_the_role_may_do(
    owner_client, patient, member, today, role, shown
):
    draw = add_ferritin(patient, today, 40)
    client = owner_client if role == "owner" else member(role)[1]
    page = client.get(patient.get_absolute_url()).content.decode()
    offered = {name for name, url in links(patient, draw).items() if f'"{url}"' in page}
    assert offered == shown
    badge = {"owner": None, EDITOR: "Can edit", VIEWER: "Can view"}[role]
    assert (badge is None) or f">{badge}</span>" in page


def test_a_viewer_sees_no_edit_links_on_the_lists_and_history(patient, member, today):
    draw = add_ferritin(patient, today, 40)
    _, client = member(VIEWER)
    for name in ("draw_list", "patient_history", "patient_chart_table"):
        page = client.get(reverse(name, args=[patient.pk])).content.decode()
        assert reverse("draw_edit", args=[draw.pk]) not in page, name
        assert reverse("draw_create", args=[patient.pk]) not in page, name


def test_the_reminders_page_changes_only_the_people_the_account_may_edit(patient, member):
    viewer, client = member(VIEWER)
    own = Patient.objects.create(owner=viewer, name="Own")
    response = client.post(
        reverse("reminders"),
        {"email_reminders": "on", "days_ahead": "30", "skip_weekends": "on"},
    )
    assert response.status_code == 302
    shared, own = Patient.objects.get(pk=patient.pk), Patient.objects.get(pk=own.pk)
    assert (own.reminder_lead_days, own.skip_weekends) == (30, True)
    assert (shared.reminder_lead_days, shared.skip_weekends) == (14, False)


def test_the_worklist_shows_the_role_of_a_shared_person(owner, patient, make_user):
    clinician = make_user("clinic@example.com")
    Patient.objects.create(owner=clinician, name="Own person")
    Membership.objects.create(person=patient, account=clinician, role=VIEWER)
    other = Patient.objects.create(owner=owner, name="Bea")
    Membership.objects.create(person=other, account=clinician, role=EDITOR)
    client = Client()
    client.force_login(clinician)
    page = client.get(reverse("worklist")).content.decode()
    rows = {
        name: row
        for row in page.split("<tr>")
        for name in ("Alice", "Bea", "Own person")
        if f">{name}</a>" in row
    }
    assert "Can view" in rows["Alice"] and "Can edit" in rows["Bea"]
    assert "role-badge" not in rows["Own person"]
