"""The Reminders page in Chromium (issue 16 item 4): a new calendar address with its
subscribe link, QR code and a copy button that copies, at 390 and 1280 px."""

import pytest

from rlsapp.reminders.models import CalendarFeed
from rlsapp.tokens import digest

from .test_accessibility import scan
from .test_charts_in_browser import sign_in_with_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1280])
def test_a_new_address_can_be_copied_and_fits_a_phone(
    page, context, live_server, owner, patient, console_errors, screenshot, width
):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in_with_cookie(context, live_server, owner)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/reminders/")
    screenshot(page, f"issue16-reminders-{width}", full_page=True)
    page.get_by_role("button", name="Make my calendar address").click()
    page.wait_for_load_state()
    href = page.get_by_role("link", name="Subscribe in my calendar app").get_attribute("href")
    token = href.rsplit("/", 1)[1].removesuffix(".ics")
    assert href.startswith("webcal://") and digest(token) == CalendarFeed.objects.get().token_hash
    assert page.locator(".qr-code svg").is_visible()
    # The page opens at the address, not at the top with it a long scroll below on a phone.
    assert page.evaluate("window.scrollY") > 0 or width > 1000
    assert page.get_by_role("heading", name="Re-checks in your calendar").evaluate(
        "e => e.getBoundingClientRect().top > -8 && e.getBoundingClientRect().top < innerHeight"
    )
    # Scanned before the copy button is clicked: hovered, its colours were another pair.
    found = {}
    scan(page, found, "reminders page with a new address, before copying")
    assert found == {}
    page.get_by_role("button", name="Copy the address").click()
    page.get_by_text("Copied.").wait_for()
    assert token in page.evaluate("navigator.clipboard.readText()")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"issue16-reminders-new-address-{width}", full_page=True)
    found = {}
    scan(page, found, "reminders page with a new address")
    assert found == {}
    page.goto(live_server.url + "/reminders/")
    assert token not in page.content()
    assert console_errors == []
