"""Issue 15's whole story in Chromium, through the pages only: a clinician (desktop, 1280 px)
adds a person and invites her by email as an editor; she (a phone, 390 px, touch) signs up
with the invited address from the invitation, accepts and enters a ferritin result; he
sees it on his worklist; he hands her the ownership and she accepts (he stays an editor);
she makes him a viewer: his edit buttons are gone and a forged POST is refused; she removes
him: his next page is a 404 and the person leaves his worklist; she makes a read-only link,
a browser without an account sees the report, and once revoked the link is a 404.

The database is only read: the mails (django.core.mail.outbox) for the links they carry,
and each step's effect. Screenshots: screenshots/issue15-story-*.png.
"""

import datetime
import json
import re

import pytest
from django.conf import settings as django_settings
from django.core import mail

from rlsapp.links.models import ReadOnlyLink
from rlsapp.sharing.models import Invitation, Transfer
from rlsapp.tracking.memberships import EDITOR, OWNER, VIEWER, Membership
from rlsapp.tracking.models import LabDraw, LabResult, Patient
from tests.conftest import PASSWORD

from .conftest import serve_cdn_from_node_modules
from .test_accessibility import scan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCTOR = "dr.weber@clinic.example.org"
MARIA = "maria@example.com"
HER_PASSWORD = "my-own-long-passphrase-7"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def new_context(browser, viewport, **extra):
    context = browser.new_context(viewport=viewport, reduced_motion="reduce", **extra)
    context.route(django_settings.ASSET_BASE_URL + "/**", serve_cdn_from_node_modules)
    return context


def watch_errors(page, errors, who):
    page.on("console", lambda m: errors.append(f"{who}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{who}: {e}"))


def last_mail_to(address):
    return [m for m in mail.outbox if address in m.to][-1]


def link_in(message, path):
    return re.search(rf"https?://\S+?{path}\S*", message.body).group(0)


def fits(page):
    # After a form's redirect an element may be on the page before its stylesheets are:
    # measured then, a table is as wide as its unstyled text.
    page.wait_for_load_state("load")
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def alert(page, text):
    """A message the page shows after a step (the messages framework's alert)."""
    page.locator(".alert", has_text=text).wait_for()


@pytest.fixture
def story_settings(settings, live_server):
    settings.MAIL_CONFIGURED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SIGNUP_OPEN = True
    settings.SITE_URL = live_server.url  # the mailed links point at this server
    return settings


def test_the_sharing_story(browser, live_server, make_user, story_settings, screenshot):
    base = live_server.url
    make_user(DOCTOR)  # an account with a confirmed address, as the operator makes them
    errors, axe = [], {}

    def shot(page, step):
        width = page.viewport_size["width"]
        fits(page)
        screenshot(page, f"issue15-story-{step}-{width}", full_page=True)

    # 1. The clinician signs in, adds a person and invites her as an editor.
    his = new_context(browser, DESKTOP)
    him = his.new_page()
    watch_errors(him, errors, "clinician")
    him.goto(f"{base}/accounts/login/")
    him.get_by_label("Email").fill(DOCTOR)
    him.get_by_label("Password").fill(PASSWORD)
    him.locator("main form button[type=submit]").click()
    # Nobody tracked yet: he lands on "Add a person". A patient of his own first, so that
    # his worklist is a list when Maria leaves it.
    him.wait_for_url(re.compile(r"/patients/new/$"))
    for name in ("Jonas", "Maria"):
        if name == "Maria":
            him.goto(f"{base}/worklist/")
            him.get_by_role("main").get_by_role("link", name="Add a person").click()
        him.get_by_label("Name").fill(name)
        him.get_by_role("button", name="Save", exact=True).click()
        him.get_by_role("heading", name=name).wait_for()
    person = Patient.objects.get(name="Maria")
    assert person.owner.email == DOCTOR
    him.get_by_text("More…").click()
    him.get_by_role("link", name="People with access").click()
    him.get_by_role("link", name="Invite someone").click()
    him.get_by_label("Their email address").fill(MARIA)
    him.get_by_label("Can edit").check()
    shot(him, "1-invite")
    scan(him, axe, "invite form")
    him.get_by_role("button", name="Invite").click()
    alert(him, f"Invitation emailed to {MARIA}.")
    assert him.locator(".invitations-list", has_text=MARIA).is_visible()
    shot(him, "1-invited")
    invitation = last_mail_to(MARIA)
    assert "Maria" in invitation.body and DOCTOR in invitation.body
    invite_url = link_in(invitation, "/invite/")

    # 2. On her phone she opens the link, signs up with the invited address, confirms it
    # from the email, accepts, and enters a ferritin result.
    hers = new_context(browser, PHONE, is_mobile=True, has_touch=True)
    her = hers.new_page()
    watch_errors(her, errors, "patient")
    her.goto(invite_url)
    her.get_by_role("heading", name="You are invited to share records in rlsapp").wait_for()
    shot(her, "2-invitation")
    scan(her, axe, "invitation, signed out")
    her.get_by_role("link", name=f"Create an account with {MARIA}").click()
    shot(her, "2-sign-up")
    scan(her, axe, "sign-up")
    her.get_by_label("Email address").fill(MARIA)
    her.locator("#id_password1").fill(HER_PASSWORD)
    her.get_by_label("Password confirmation").fill(HER_PASSWORD)
    her.get_by_role("button", name="Create account").click()
    her.wait_for_url(re.compile(r"/accounts/signup/sent/$"))
    her.get_by_role("heading", name="Check your email").wait_for()
    her.goto(link_in(last_mail_to(MARIA), "/accounts/signup/confirm/"))
    shot(her, "2-confirm")
    scan(her, axe, "sign-up confirmation")
    her.get_by_role("button", name="Confirm").click()
    # The confirmation ends where the invitation was: the accept page, her reminders
    # offered (an editor's re-check emails), with the role she is given.
    her.get_by_role("button", name="Accept").wait_for()
    assert "Maria" in her.locator("main").inner_text()
    assert "Can edit" in her.locator("main").inner_text()
    shot(her, "2-accept")
    scan(her, axe, "invitation accept")
    her.get_by_role("button", name="Accept").click()
    alert(her, "You now have access to Maria.")
    assert her.url == f"{base}/patients/{person.pk}/"
    maria = Membership.objects.select_related("account").get(person=person, role=EDITOR).account
    assert maria.email == MARIA and maria.email_confirmed
    assert Invitation.objects.get().accepted_by == maria
    assert f"{MARIA} accepted" in last_mail_to(DOCTOR).subject
    # An older result from a paper report, then today's: two make a trend to chart.
    today = datetime.date.today()
    drawn_on = today - datetime.timedelta(days=2)
    her.get_by_role("link", name="Add lab result").click()
    her.locator("#id_drawn_on").fill((today - datetime.timedelta(weeks=12)).isoformat())
    her.locator("#id_ferritin").fill("61")
    her.get_by_role("button", name="Save and add another").click()
    alert(her, "Added the lab result.")
    her.locator("#id_drawn_on").fill(drawn_on.isoformat())
    her.locator("#id_ferritin").fill("23")
    her.get_by_role("button", name="Save", exact=True).click()
    her.wait_for_url(f"{base}/patients/{person.pk}/")
    ferritin = LabResult.objects.filter(draw__patient=person, analyte="ferritin")
    assert sorted(ferritin.values_list("draw__drawn_on", "value")) == [
        (today - datetime.timedelta(weeks=12), 61),
        (drawn_on, 23),
    ]
    her.locator('section.charts[data-chart-state="drawn"]').wait_for()
    assert her.locator("#history-chart").is_visible()
    shot(her, "2-result-entered")
    scan(her, axe, "person page after her result")

    # 3. He sees her result on his worklist.
    him.goto(f"{base}/worklist/")
    row = him.locator("tr", has_text="Maria")
    assert "23" in row.inner_text()
    assert row.locator(".role-badge").count() == 0  # still his own
    assert "61" not in row.inner_text()  # the latest result, not the older one
    shot(him, "3-worklist")
    scan(him, axe, "worklist")

    # 4. He hands her the ownership; she accepts from the emailed link. He stays an editor,
    # then she makes him a viewer.
    him.goto(f"{base}/patients/{person.pk}/people/")
    him.get_by_role("link", name="Transfer ownership…").click()
    him.get_by_label(f"{MARIA} (Can edit)").check()
    him.get_by_role("button", name="Propose the transfer").click()
    alert(him, f"Transfer proposed to {MARIA}")
    shot(him, "4-transfer-proposed")
    scan(him, axe, "transfer waiting")
    assert Patient.objects.get(pk=person.pk).owner.email == DOCTOR  # not until she accepts
    her.goto(link_in(last_mail_to(MARIA), "/transfer/"))
    her.get_by_role("heading", name="Become the owner of Maria’s records?").wait_for()
    shot(her, "4-transfer-offer")
    scan(her, axe, "transfer offer")
    her.get_by_role("button", name="Accept and become the owner").click()
    alert(her, "You are now the owner of Maria’s records.")
    assert Patient.objects.get(pk=person.pk).owner == maria
    assert Transfer.objects.get().status == "accepted"
    doctor_membership = Membership.objects.get(person=person, account__email=DOCTOR)
    assert doctor_membership.role == EDITOR
    assert "now the owner" in last_mail_to(DOCTOR).subject
    members = her.locator(".members-list")
    assert "Can edit" in members.locator("li", has_text=DOCTOR).inner_text()
    role = her.get_by_label(f"Role of {DOCTOR}")
    role.select_option(VIEWER)
    her.locator("form", has=role).get_by_role("button", name="Change").click()
    alert(her, f"{DOCTOR} now has “Can view” for Maria.")
    assert Membership.objects.get(pk=doctor_membership.pk).role == VIEWER
    assert Membership.objects.get(person=person, account=maria).role == OWNER
    shot(her, "4-people-with-access")
    scan(her, axe, "people with access")

    him.goto(f"{base}/patients/{person.pk}/")
    assert him.locator("h1 .role-badge").inner_text() == "Can view"
    assert him.get_by_role("link", name="Add lab result").count() == 0
    assert him.get_by_role("link", name="Add infusion").count() == 0
    him.get_by_text("More…").click()
    assert him.get_by_role("link", name="Settings").count() == 0
    assert him.get_by_role("link", name="People with access").count() == 0
    assert him.get_by_role("link", name="Leave (stop seeing Maria)").is_visible()
    shot(him, "4-viewer")
    scan(him, axe, "person page, viewer")
    draw = LabDraw.objects.get(patient=person, drawn_on=drawn_on)
    csrf = next(c["value"] for c in his.cookies() if c["name"] == "csrftoken")
    forged = {
        f"/draws/{draw.pk}/edit/": {"drawn_on": drawn_on.isoformat(), "ferritin": "900"},
        f"/patients/{person.pk}/draws/new/": {"drawn_on": drawn_on.isoformat(), "ferritin": "9"},
        f"/patients/{person.pk}/edit/": {"name": "Changed"},
    }
    for path, form in forged.items():
        answer = him.request.post(
            base + path, form=form, headers={"X-CSRFToken": csrf, "Referer": base + path}
        )
        assert answer.status == 403, (path, answer.status)
        assert "Not allowed" in answer.text()
    assert sorted(ferritin.values_list("value", flat=True)) == [23, 61]
    assert LabDraw.objects.filter(patient=person).count() == 2
    assert Patient.objects.get(pk=person.pk).name == "Maria"

    # 5. She removes him: his next page is a 404 and Maria leaves his worklist.
    her.get_by_role("link", name=f"Remove {DOCTOR}").click()
    her.get_by_role("button", name="Remove access").click()
    alert(her, f"{DOCTOR} no longer has access to Maria.")
    assert not Membership.objects.filter(person=person, account__email=DOCTOR).exists()
    assert "Maria" in last_mail_to(DOCTOR).body
    shot(her, "5-removed")
    gone = him.goto(f"{base}/patients/{person.pk}/")
    assert gone.status == 404
    assert him.get_by_role("heading", name="Page not found").is_visible()
    assert "Maria" not in him.content()
    scan(him, axe, "404 page")
    errors.remove(next(e for e in errors if e.startswith("clinician") and "404" in e))
    shot(him, "5-gone")
    him.goto(f"{base}/worklist/")
    assert him.locator("tr", has_text="Maria").count() == 0
    assert "Maria" not in him.locator("main").inner_text()
    shot(him, "5-worklist")

    # 6. She makes a read-only link; a browser without an account sees the report; revoked,
    # the link is a 404.
    her.goto(f"{base}/patients/{person.pk}/")
    her.get_by_text("More…").click()
    her.get_by_role("link", name="Read-only links").click()
    her.get_by_label("For whom (optional)").fill("Dr Weber")
    her.get_by_role("button", name="Make a link").click()
    address = her.locator("#link-address")
    address.wait_for()
    url = address.input_value()
    assert url.startswith(f"{base}/shared/")
    shot(her, "6-link-made")
    scan(her, axe, "read-only links")
    visitors = new_context(browser, DESKTOP)
    visitor = visitors.new_page()
    watch_errors(visitor, errors, "visitor")
    assert visitor.goto(url).status == 200
    visitor.get_by_role("heading", name="Ferritin and iron report: Maria").wait_for()
    visitor.locator('section.charts[data-chart-state="drawn"]').wait_for()
    assert visitor.locator("#history-chart").is_visible()
    assert "2 ferritin results" in visitor.locator("#history-summary").inner_text()
    assert "23" in visitor.locator("main").inner_text()
    assert visitor.locator("form").count() == 0
    shot(visitor, "6-link-view")
    scan(visitor, axe, "read-only link's report")
    row = her.locator("tr", has_text="Dr Weber")
    row.get_by_role("button", name=re.compile("^Revoke")).click()
    alert(her, "Link revoked")
    assert ReadOnlyLink.objects.get().revoked_at is not None
    shot(her, "6-link-revoked")
    assert visitor.goto(url).status == 404
    assert visitor.get_by_role("heading", name="Page not found").is_visible()
    errors.remove(next(e for e in errors if e.startswith("visitor") and "404" in e))

    for context in (his, hers, visitors):
        context.close()
    assert axe == {}, json.dumps(axe, indent=1, ensure_ascii=False)
    assert errors == []
