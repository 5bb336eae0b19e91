"""Sign-up, account settings and two-factor setup in Chromium at 390 and 1280 px (issue 16
items 3, 4 and 7): sign-up asks for an address and a password with the region folded away,
account settings point to the Reminders page, and two-factor setup offers an otpauth://
link a phone can open instead of scanning its own screen."""

import pytest

from tests.conftest import PASSWORD

from .helpers import page_width, sign_in_with_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1280])
def test_sign_up_shows_three_fields_and_folds_the_region(
    page, live_server, settings, console_errors, screenshot, width
):
    settings.SIGNUP_OPEN = True
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/accounts/signup/")
    visible = [f for f in page.locator("form input:not([type=hidden]), form select").all()]
    assert [f.get_attribute("name") for f in visible if f.is_visible()] == [
        "email",
        "password1",
        "password2",
    ]
    assert page_width(page) <= width
    screenshot(page, f"issue16-signup-{width}")
    assert console_errors == []


@pytest.mark.parametrize("width", [390, 1280])
def test_account_settings_and_two_factor_setup(
    page, context, live_server, owner, console_errors, screenshot, width
):
    sign_in_with_cookie(context, live_server, owner)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/accounts/settings/")
    assert page.get_by_role("link", name="Reminders page").is_visible()
    assert page_width(page) <= width
    screenshot(page, f"issue16-account-settings-{width}", full_page=True)
    page.goto(live_server.url + "/accounts/two-factor/")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button").filter(has_text="Continue").click()
    link = page.locator("a.otpauth-link")
    assert link.is_visible() and link.get_attribute("href").startswith("otpauth://totp/")
    assert page_width(page) <= width
    screenshot(page, f"issue16-two-factor-{width}", full_page=True)
    assert console_errors == []
