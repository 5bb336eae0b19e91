"""Sharing on a phone and a desktop (issue 15): the owner's People with access page, and a
viewer's worklist and person page (role badge, only what the role may do)."""

import pytest

from rlsapp.tracking.memberships import EDITOR, VIEWER, Membership
from rlsapp.tracking.models import Patient
from tests.reminders.helpers import add_ferritin

from .helpers import open_as, page_width


@pytest.fixture
def shared(owner, patient, make_user, today):
    add_ferritin(patient, today, 42)
    clinician = make_user("dr.a.very-long-address.neurology@clinic.example.org")
    Membership.objects.create(person=patient, account=clinician, role=VIEWER)
    Membership.objects.create(
        person=patient, account=make_user("caregiver@example.com"), role=EDITOR
    )
    Patient.objects.create(owner=clinician, name="Own patient")
    return clinician


@pytest.mark.parametrize("width", [390, 1280])
def test_the_owner_manages_people_with_access(
    page, context, live_server, owner, patient, shared, console_errors, screenshot, width
):
    open_as(page, context, live_server, owner, patient.get_absolute_url(), width)
    page.get_by_text("More…").click()
    page.get_by_role("link", name="People with access").click()
    assert page.get_by_role("heading", name="People with access").is_visible()
    assert page_width(page) <= width
    screenshot(page, f"issue15-people-with-access-{width}")
    role = page.get_by_label(f"Role of {shared.email}")
    role.select_option(EDITOR)
    page.locator("form", has=role).get_by_role("button", name="Change").click()
    assert page.get_by_text(f"{shared.email} now has “Can edit”").is_visible()
    assert Membership.objects.get(person=patient, account=shared).role == EDITOR
    assert console_errors == []


@pytest.mark.parametrize("width", [390, 1280])
def test_a_viewer_sees_the_role_and_only_what_it_allows(
    page, context, live_server, patient, shared, console_errors, screenshot, width
):
    open_as(page, context, live_server, shared, "/worklist/", width)
    row = page.locator("tr", has_text="Alice")
    assert row.locator(".role-badge").inner_text() == "Can view"
    assert page.locator("tr", has_text="Own patient").locator(".role-badge").count() == 0
    assert page_width(page) <= width
    screenshot(page, f"issue15-worklist-shared-{width}")
    row.get_by_role("link", name="Alice").click()
    assert page.locator("h1 .role-badge").inner_text() == "Can view"
    assert not page.get_by_role("link", name="Add lab result").count()
    assert page.get_by_role("link", name="Printable report").is_visible()
    page.get_by_text("More…").click()
    assert page.get_by_role("link", name="Leave (stop seeing Alice)").is_visible()
    assert page_width(page) <= width
    screenshot(page, f"issue15-viewer-person-page-{width}")
    assert console_errors == []
