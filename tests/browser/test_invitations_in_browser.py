"""Invitations in Chromium (issue 15 item 1): the accept page and the invitations section of
"People with access", at 390 and 1280 px: nothing wider than the screen, no accessibility
findings, and accepting lands on the person."""

import pytest

from rlsapp.sharing import services
from rlsapp.tracking.memberships import EDITOR, VIEWER, Membership

from .test_accessibility import scan
from .test_charts_in_browser import sign_in_with_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def look_at(page, screenshot, shot, width, found, what):
    """Screenshot, then check the page fits the screen (with its stylesheets) and axe."""
    screenshot(page, f"issue15-{shot}-{width}", full_page=True)
    page.wait_for_load_state("load")  # measured with its stylesheets
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    scan(page, found, what)


@pytest.mark.parametrize("width", [390, 1280])
def test_the_invitee_accepts_on_a_phone_or_a_computer(
    page, context, live_server, owner, patient, make_user, console_errors, screenshot, width
):
    bob = make_user("bob@example.com")
    _, token = services.invite(patient, owner, "bob@example.com", EDITOR)
    sign_in_with_cookie(context, live_server, bob)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/invite/{token}/")
    found = {}
    look_at(page, screenshot, "invitation-accept", width, found, "invitation accept page")
    assert found == {}
    page.get_by_role("button", name="Accept").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/patients/{patient.pk}/")
    assert Membership.objects.get(account=bob).role == EDITOR
    assert console_errors == []


@pytest.mark.parametrize("width", [390, 1280])
def test_pending_invitations_on_the_members_page(
    page, context, live_server, owner, patient, console_errors, screenshot, width
):
    services.invite(patient, owner, "bob@example.com", EDITOR)
    long_address = "a.very.long.address.of.a.neurologist@clinic.example.org"
    services.invite(patient, owner, long_address, VIEWER)
    sign_in_with_cookie(context, live_server, owner)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/patients/{patient.pk}/people/")
    found = {}
    look_at(page, screenshot, "members-invitations", width, found, "members page with invitations")
    assert found == {}
    page.get_by_role("button", name="Withdraw the invitation to bob@example.com").click()
    page.wait_for_load_state()
    assert "withdrawn" in page.content()
    assert console_errors == []


@pytest.mark.parametrize("width", [390, 1280])
def test_transfer_and_account_deletion_pages(
    page, context, live_server, owner, patient, make_user, console_errors, screenshot, width
):
    Membership.objects.create(person=patient, account=make_user("bob@example.com"), role=EDITOR)
    sign_in_with_cookie(context, live_server, owner)
    page.set_viewport_size({"width": width, "height": 900})
    found = {}
    for path, name in [
        (f"/patients/{patient.pk}/transfer/", "transfer"),
        ("/account/delete/", "account-delete"),
    ]:
        page.goto(live_server.url + path)
        look_at(page, screenshot, name, width, found, name)
    assert found == {}
    assert console_errors == []
