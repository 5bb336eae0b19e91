"""Issue 16 item 7 in Chromium at 390 and 1280 px: after deleting a whole person the message
says so with an Undo button that fits the screen; Undo brings the person back."""

import pytest

from rlsapp.tracking.models import Patient

from .test_accessibility import scan
from .test_charts_in_browser import create_history_directly, sign_in_with_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1280])
def test_the_undo_after_deleting_a_person_fits_and_works(
    page, context, live_server, owner, console_errors, screenshot, width
):
    alex = Patient.objects.create(owner=owner, name="Alex", sex="F")
    create_history_directly(alex)
    Patient.objects.create(owner=owner, name="Sam")
    sign_in_with_cookie(context, live_server, owner)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server.url}/patients/{alex.pk}/delete/")
    page.get_by_role("button", name="Delete", exact=True).click()
    page.wait_for_load_state()

    alert = page.locator(".alert", has_text="Alex deleted.")
    undo = alert.get_by_role("button", name="Undo")
    assert undo.is_visible()
    box = undo.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width  # in view, no sideways scroll
    page.wait_for_load_state("load")  # measured with its stylesheets
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"issue16-person-undo-{width}")
    found = {}
    scan(page, found, "worklist with the person-deleted message")
    assert found == {}

    undo.click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/patients/{alex.pk}/"
    assert page.locator(".alert", has_text="Alex is back, with every record.").is_visible()
    assert Patient.objects.get(pk=alex.pk).deleted_at is None
    assert console_errors == []
