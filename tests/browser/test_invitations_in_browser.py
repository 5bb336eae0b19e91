"""Invitations in Chromium (issue 15 item 1): the accept page and the invitations section of
"People with access", at 390 and 1280 px: nothing wider than the screen, no accessibility
findings, and accepting lands on the person."""

import pytest

from rlsapp.sharing import services
from rlsapp.tracking.memberships import EDITOR, VIEWER, Membership

from .helpers import open_as, page_width
from .test_accessibility import scan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def look_at(page, screenshot, shot, width, what):
    """Screenshot, then check the page fits the screen and axe finds nothing serious."""
    screenshot(page, f"issue15-{shot}-{width}", full_page=True)
    assert page_width(page) <= width, what
    found = {}
    scan(page, found, what)
    assert found == {}


def bob_opens_his_invitation(page, context, live_server, make_user, owner, patient, role, width):
    """The owner invites bob@example.com (an account already) as `role`; bob opens the link."""
    bob = make_user("bob@example.com")
    invitation, token = services.invite(patient, owner, "bob@example.com", role)
    open_as(page, context, live_server, bob, f"/invite/{token}/", width)
    return bob, invitation


@pytest.mark.parametrize("width", [390, 1280])
def test_the_invitee_accepts_on_a_phone_or_a_computer(
    page, context, live_server, owner, patient, make_user, console_errors, screenshot, width
):
    bob, _ = bob_opens_his_invitation(
        page, context, live_server, make_user, owner, patient, EDITOR, width
    )
    look_at(page, screenshot, "invitation-accept", width, "invitation accept page")
    page.get_by_role("button", name="Accept").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/patients/{patient.pk}/")
    assert Membership.objects.get(account=bob).role == EDITOR
    assert console_errors == []


@pytest.mark.parametrize("width", [390, 1280])
def test_the_invitee_declines_and_the_owner_sees_it_declined(
    page, context, live_server, owner, patient, make_user, console_errors, screenshot, width
):
    bob, invitation = bob_opens_his_invitation(
        page, context, live_server, make_user, owner, patient, VIEWER, width
    )
    decline = page.get_by_role("button", name="Decline")
    assert decline.is_visible() and page.get_by_role("button", name="Accept").is_visible()
    look_at(page, screenshot, "invitation-decline", width, "invitation page with Decline")
    decline.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Invitation declined").is_visible()
    look_at(page, screenshot, "invitation-declined", width, "declined page")
    invitation.refresh_from_db()
    assert invitation.status == "declined"
    assert not Membership.objects.filter(account=bob).exists()

    context.clear_cookies()
    open_as(page, context, live_server, owner, f"/patients/{patient.pk}/people/", width)
    assert page.locator(".invitation-declined").is_visible()
    look_at(page, screenshot, "invitation-declined-owner", width, "people page, declined")
    assert console_errors == []


@pytest.mark.parametrize("width", [390, 1280])
def test_pending_invitations_on_the_members_page(
    page, context, live_server, owner, patient, console_errors, screenshot, width
):
    services.invite(patient, owner, "bob@example.com", EDITOR)
    long_address = "a.very.long.address.of.a.neurologist@clinic.example.org"
    services.invite(patient, owner, long_address, VIEWER)
    open_as(page, context, live_server, owner, f"/patients/{patient.pk}/people/", width)
    look_at(page, screenshot, "members-invitations", width, "members page with invitations")
    page.get_by_role("button", name="Withdraw the invitation to bob@example.com").click()
    page.wait_for_load_state()
    assert "withdrawn" in page.content()
    assert console_errors == []


@pytest.mark.parametrize("width", [390, 1280])
def test_transfer_and_account_deletion_pages(
    page, context, live_server, owner, patient, make_user, console_errors, screenshot, width
):
    Membership.objects.create(person=patient, account=make_user("bob@example.com"), role=EDITOR)
    open_as(page, context, live_server, owner, f"/patients/{patient.pk}/transfer/", width)
    look_at(page, screenshot, "transfer", width, "transfer")
    page.goto(live_server.url + "/account/delete/")
    look_at(page, screenshot, "account-delete", width, "account-delete")
    assert console_errors == []
