"""Issue 16 item 7 in Chromium at 390 and 1280 px: a failed form's error summary takes
focus and its links move focus to the field; the 0–10 scale is tapped; the history's
Restore is in view without scrolling sideways."""

import datetime

import pytest

from rlsapp.tracking import services
from rlsapp.tracking.models import SymptomScore

from .helpers import open_as, page_width
from .test_accessibility import scan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1280])
def test_a_failed_form_focuses_its_summary_and_links_to_the_field(
    page, context, live_server, owner, patient, console_errors, screenshot, width
):
    open_as(page, context, live_server, owner, f"/patients/{patient.pk}/infusions/new/", width, 800)
    page.get_by_label("Dose").fill("99999")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.locator("#error-summary").is_visible()
    screenshot(page, f"issue16-error-summary-{width}")
    found = {}
    scan(page, found, "infusion form with its error summary")
    assert found == {}
    page.locator("#error-summary a", has_text="Dose").click()
    assert page.evaluate("document.activeElement.id") == "id_dose_mg"
    assert console_errors == []


@pytest.mark.parametrize("width", [390, 1280])
def test_a_symptom_score_is_one_tap_on_the_scale(
    page, context, live_server, owner, patient, console_errors, screenshot, width
):
    open_as(page, context, live_server, owner, f"/patients/{patient.pk}/symptoms/new/", width, 800)
    buttons = page.locator(".tap-scale label")
    assert buttons.count() == 11
    boxes = [buttons.nth(i).bounding_box() for i in (0, 10)]
    assert boxes[0]["y"] == boxes[1]["y"]  # one row
    assert boxes[1]["x"] + boxes[1]["width"] <= width and boxes[0]["width"] >= 24
    buttons.nth(7).click()
    screenshot(page, f"issue16-tap-scale-{width}")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert SymptomScore.objects.get().severity == 7
    assert console_errors == []


@pytest.mark.parametrize("width", [390, 1280])
def test_restore_is_in_view_on_the_history_page(
    page, context, live_server, owner, patient, console_errors, screenshot, width
):
    day = datetime.date(2026, 10, 1)
    for n in range(3):
        score = services.save_record(
            SymptomScore(patient=patient, recorded_on=day, severity=n, note="restless evening")
        )
        services.delete(score)
    open_as(page, context, live_server, owner, f"/patients/{patient.pk}/history/", width, 800)
    restore = page.get_by_role("button", name="Restore").first
    box = restore.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page_width(page) <= width
    screenshot(page, f"issue16-history-{width}", full_page=True)
    found = {}
    scan(page, found, "history as cards")
    assert found == {}
    restore.click()
    page.wait_for_load_state()
    assert SymptomScore.objects.count() == 1
    assert console_errors == []


def test_a_failed_sign_in_or_sign_up_announces_its_error_instead_of_the_address_field(
    page, live_server, settings, console_errors
):
    """The account forms focused the email field (autofocus) after a failure: a screen
    reader read out the address and never the error, which sat in an alert above it
    (sign-in) or under the last field (sign-up, below the fold on a phone)."""
    settings.SIGNUP_OPEN = True
    page.set_viewport_size({"width": 390, "height": 700})
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email address").fill("nobody@example.com")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    summary = page.locator("#error-summary").inner_text()
    assert "Please enter a correct email address and password" in summary
    assert "saved" not in summary
    assert page.get_by_text("Please enter a correct email address").count() == 1  # not twice

    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_label("Email address").fill("anna@example.com")
    page.locator("#id_password1").fill("my-own-long-passphrase-7")
    page.get_by_label("Password confirmation").fill("my-own-long-passphrase-8")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    page.locator("#error-summary a", has_text="Password confirmation").click()
    assert page.evaluate("document.activeElement.id") == "id_password2"
    found = {}
    scan(page, found, "sign-up with its error summary")
    assert found == {}
    assert console_errors == []
