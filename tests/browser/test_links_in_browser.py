"""Read-only links in Chromium (issue 15 item 5): the owner makes one on the person's links
page and copies it; a browser without an account opens it and sees the report with its
chart, and nothing to click into the app; revoked, it is a 404. At 390 and 1280 px."""

import datetime

import pytest
from django.conf import settings

from rlsapp.links.models import ReadOnlyLink
from tests.reminders.helpers import add_ferritin, add_infusion

from .conftest import serve_cdn_from_node_modules
from .test_accessibility import scan
from .test_charts_in_browser import sign_in_with_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1280])
def test_a_link_is_made_copied_opened_and_revoked(
    browser, page, context, live_server, owner, patient, console_errors, screenshot, width
):
    today = datetime.date.today()
    for weeks, ferritin in ((30, 40), (20, 420), (12, 260), (4, 150)):
        add_ferritin(patient, today - datetime.timedelta(weeks=weeks), ferritin)
    add_infusion(patient, today - datetime.timedelta(weeks=22))
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in_with_cookie(context, live_server, owner)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    page.get_by_text("More…").click()
    page.get_by_role("link", name="Read-only links").click()
    page.get_by_label("For whom (optional)").fill("Dr Weber")
    page.get_by_label("7 days").check()
    page.get_by_role("button", name="Make a link").click()
    page.wait_for_load_state()
    url = page.locator("#link-address").input_value()
    assert url.startswith(f"{live_server.url}/shared/")
    page.get_by_role("button", name="Copy the link").click()
    page.get_by_text("Copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == url
    page.wait_for_load_state("load")  # measured with its stylesheets
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"issue15-links-new-{width}", full_page=True)
    found = {}
    scan(page, found, "links page with a new link")
    assert found == {}

    visitor = browser.new_context(reduced_motion="reduce")  # no account, no cookies
    visitor.route(settings.ASSET_BASE_URL + "/**", serve_cdn_from_node_modules)
    shared = visitor.new_page()
    shared.set_viewport_size({"width": width, "height": 900})
    errors = []
    shared.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    response = shared.goto(url)
    assert response.status == 200 and response.headers["referrer-policy"] == "no-referrer"
    shared.locator('section.charts[data-chart-state="drawn"]').wait_for()
    shared.get_by_role("heading", name="Ferritin and iron report: Alice").wait_for()
    assert shared.locator("a[href^='/']").count() == 0
    assert shared.locator("form").count() == 0
    shared.wait_for_load_state("load")  # measured with its stylesheets
    assert shared.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(shared, f"issue15-link-view-{width}", full_page=True)
    assert errors == []

    page.goto(f"{live_server.url}/patients/{patient.pk}/links/")
    row = page.locator("tr", has_text="Dr Weber")
    assert "never" not in row.inner_text()  # its view is there
    screenshot(page, f"issue15-links-list-{width}", full_page=True)
    row.get_by_role("button", name="Revoke").click()
    page.get_by_text("Link revoked").wait_for()
    assert ReadOnlyLink.objects.get().revoked_at is not None
    assert shared.goto(url).status == 404  # (the browser logs this 404 as an error)
    visitor.close()
    assert console_errors == []
