"""A form says it is saving as soon as it is sent, and a second tap sends nothing more."""

import pytest

from rlsapp.tracking.models import Infusion
from tests.browser.helpers import open_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# After the page's own listeners: notes whether each submit would be sent, then holds it
# back, as a slow connection would keep the page waiting for the next one.
HOLD_SUBMITS = """() => {
  window.sent = [];
  document.addEventListener("submit", (event) => {
    window.sent.push(!event.defaultPrevented);
    event.preventDefault();
  });
}"""


def test_a_slow_save_says_saving_and_a_second_tap_sends_nothing(
    page, context, live_server, owner, patient
):
    """On a slow connection the Save button gave no sign of having been tapped until the next
    page came, and a second tap sent the form again."""
    url = f"/patients/{patient.pk}/infusions/new/"
    open_as(page, context, live_server, owner, url, 390)
    page.wait_for_load_state("load")
    page.get_by_label("Dose").fill("1000")
    page.evaluate(HOLD_SUBMITS)
    save = page.get_by_role("button", name="Save and add another")
    save.click()
    assert page.get_by_role("status").filter(has_text="Saving…").is_visible()
    save.click()
    assert page.evaluate("window.sent") == [True, False]

    # Sent for real, the button's own name still goes with the form.
    page.goto(live_server.url + url)
    page.get_by_label("Dose").fill("1000")
    page.get_by_role("button", name="Save and add another").click()
    page.get_by_text("Added the infusion").wait_for()
    assert Infusion.objects.count() == 1
    assert page.get_by_role("heading", name="Add infusion").is_visible()
    assert page.locator(".saving-status").inner_text() == ""
