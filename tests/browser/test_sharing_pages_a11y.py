"""Every page issue 15 added, as a patient on a phone (390 px) and a clinician on a desktop
(1280 px): nothing wider than the screen and no serious or critical axe-core finding.
Screenshots: screenshots/issue15-a11y-<page>-<width>.png (full page).

Pages with axe at both widths elsewhere are not repeated here: the invitation accept page
and the members page with pending invitations (test_invitations_in_browser.py), the
transfer page of an owner with one member and the account deletion page with a shared
person (same file), the links page right after a link is made (test_links_in_browser.py)
and the undo message after deleting a person (test_delete_person_undo_in_browser.py).
"""

import datetime
import json

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from rlsapp.links import services as links
from rlsapp.sharing import services as sharing
from rlsapp.sharing.models import Invitation
from rlsapp.tracking.memberships import EDITOR, VIEWER, Membership
from rlsapp.tracking.models import Patient
from tests.reminders.helpers import add_ferritin, add_infusion

from .conftest import serve_cdn_from_node_modules
from .test_accessibility import axe_violations
from .test_charts_in_browser import sign_in_with_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLINICIAN = "dr.a.very-long-address.neurology@clinic.example.org"


def a_history(person):
    today = datetime.date.today()
    for weeks, ferritin in ((30, 40), (20, 420), (12, 260), (4, 150)):
        add_ferritin(person, today - datetime.timedelta(weeks=weeks), ferritin)
    add_infusion(person, today - datetime.timedelta(weeks=22))


class Pages:
    """Opens pages in one browser per account and checks each the same way."""

    def __init__(self, browser, live_server, width, screenshot):
        self.browser, self.server, self.width = browser, live_server, width
        self.base = live_server.url
        self.screenshot = screenshot
        self.contexts, self.errors, self.found, self.wide = [], [], {}, {}

    def as_(self, account=None):
        context = self.browser.new_context(
            viewport={"width": self.width, "height": 844 if self.width < 600 else 900},
            reduced_motion="reduce",
        )
        context.route(django_settings.ASSET_BASE_URL + "/**", serve_cdn_from_node_modules)
        if account is not None:
            sign_in_with_cookie(context, self.server, account)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        return page

    def visit(self, page, path, name, status=200):
        response = page.goto(self.base + path)
        assert response.status == status, f"{name}: {path} gave {response.status}"
        self.check(page, name)

    def check(self, page, name):
        page.wait_for_load_state()
        if page.locator("section.charts").count():
            page.locator('section.charts[data-chart-state="drawn"]').wait_for()
        scroll = page.evaluate("document.scrollingElement.scrollWidth")
        inner = page.evaluate("window.innerWidth")
        if scroll > inner:
            self.wide[name] = f"{scroll} px on a {inner} px screen"
        self.screenshot(page, f"issue15-a11y-{name}-{self.width}", full_page=True)
        violations = axe_violations(page)
        if violations:
            self.found[name] = violations

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def mail_off(settings):
    settings.MAIL_CONFIGURED = False  # the owner copies links, as without mail
    return settings


@pytest.mark.parametrize("width", [390, 1280])
def test_the_sharing_pages_fit_and_pass_axe(
    browser, live_server, owner, patient, make_user, mail_off, screenshot, width
):
    a_history(patient)
    bob = make_user("bob.the.caregiver@example.com")
    clinician = make_user(CLINICIAN)
    Membership.objects.create(person=patient, account=bob, role=EDITOR, gets_reminders=True)
    viewer = Membership.objects.create(person=patient, account=clinician, role=VIEWER)
    Patient.objects.create(owner=bob, name="Bob's mother")
    alone = Patient.objects.create(owner=owner, name="Sam")
    sharing.invite(patient, owner, "someone.else@example.net", VIEWER)
    _, erin_token = sharing.invite(patient, owner, "erin@example.com", EDITOR)
    expired, expired_token = sharing.invite(patient, owner, "dave@example.com", VIEWER)
    Invitation.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    old, _ = links.make_link(patient, owner, days=7, label="Dr Weber, sleep clinic")
    links.revoke(old)
    link, link_token = links.make_link(patient, owner, days=30, label="Dr Okafor")

    pages = Pages(browser, live_server, width, screenshot)
    try:
        # Someone without an account opens the read-only link: the report (and a log entry).
        visitor = pages.as_()
        pages.visit(visitor, f"/shared/{link_token}/", "link-view")
        # said once, at the report's end (a footer used to repeat it right below)
        assert visitor.get_by_text("it does not give medical advice").count() == 1

        # The viewer: the person page (a log entry), a refused edit page, a missing person.
        dr = pages.as_(clinician)
        pages.visit(dr, f"/patients/{patient.pk}/", "viewer-person-page")
        assert dr.locator("h1 .role-badge").inner_text() == "Can view"
        assert not dr.get_by_role("link", name="Add lab result").count()
        pages.visit(dr, f"/patients/{patient.pk}/draws/new/", "403", status=403)
        pages.visit(dr, "/patients/987654/", "404", status=404)
        # an invitation for someone else, opened while signed in as the clinician
        pages.visit(dr, f"/invite/{erin_token}/", "invitation-wrong-account", status=403)

        # Signed out: the invitation's sign-in page, an expired link, an unknown one.
        pages.visit(visitor, f"/invite/{erin_token}/", "invitation-sign-in")
        pages.visit(visitor, f"/invite/{expired_token}/", "invitation-expired", status=410)
        pages.visit(visitor, "/invite/not-a-real-token/", "invitation-unknown", status=404)

        # The owner.
        her = pages.as_(owner)
        pages.visit(her, f"/patients/{patient.pk}/access-log/", "access-log")
        assert her.get_by_text(CLINICIAN).count() and her.get_by_text("Dr Okafor").count()
        pages.visit(her, f"/patients/{patient.pk}/people/", "people-with-access")
        pages.visit(her, f"/patients/{patient.pk}/people/invite/", "invite-form")
        her.get_by_label("Their email address").fill("not an address")
        her.get_by_role("button", name="Invite").click()
        pages.check(her, "invite-form-error")
        assert her.get_by_text("enter an address such as name@example.com").count()
        pages.visit(her, f"/patients/{patient.pk}/people/{viewer.pk}/remove/", "remove-member")
        pages.visit(her, f"/patients/{alone.pk}/transfer/", "transfer-no-members")
        pages.visit(her, f"/patients/{patient.pk}/links/", "links-list")
        offered = Membership.objects.get(account=bob, person=patient)
        sharing.propose_transfer(patient, owner, offered)
        pages.visit(her, f"/patients/{patient.pk}/transfer/", "transfer-pending")

        # Bob, an editor, offered the ownership.
        him = pages.as_(bob)
        pages.visit(him, f"/patients/{patient.pk}/", "member-transfer-offered")
        assert him.get_by_text("offers to hand Alice’s records over to you").count()
        pages.visit(him, f"/patients/{patient.pk}/transfer/", "transfer-recipient")
        pages.visit(him, f"/patients/{patient.pk}/leave/", "leave")
        pages.visit(him, "/reminders/", "reminders-whose-rechecks")
        assert him.get_by_role("heading", name="Whose re-checks you get").count()

        # The link revoked: its visitor, without an account, meets the 404 page.
        links.revoke(link)
        pages.visit(visitor, f"/shared/{link_token}/", "404-dead-link", status=404)
    finally:
        pages.close()

    assert pages.wide == {}, pages.wide
    assert pages.found == {}, json.dumps(pages.found, indent=1, ensure_ascii=False)
    assert pages.errors == []
