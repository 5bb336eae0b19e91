"""The worklist on a phone: its re-check, the column a clinician acts on, is in view."""

import datetime

import pytest

from rlsapp.tracking.models import Patient
from tests.browser.helpers import OVERFLOW, open_as
from tests.charts.helpers import add_draw

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_recheck_and_its_state_show_at_390_px_without_swiping(
    page, context, live_server, owner
):
    """At 390 px the 'Next re-check' column was a third column out of view to the right,
    and the rows in view were 190 px tall around it."""
    today = datetime.date.today()
    late = Patient.objects.create(owner=owner, name="Karl Webb")
    add_draw(late, today - datetime.timedelta(weeks=20), ferritin=20)
    open_as(page, context, live_server, owner, "/worklist/", 390, 844)
    page.wait_for_load_state("load")
    assert page.evaluate(OVERFLOW) <= 0
    box = page.get_by_role("region", name="Worklist table")
    assert box.evaluate("e => e.scrollWidth <= e.clientWidth")
    row = page.locator("tbody tr", has_text="Karl Webb")
    badge = row.locator(".badge:visible", has_text="overdue")
    assert badge.count() == 1 and badge.is_visible()
    assert "re-check" in row.inner_text()
    assert row.bounding_box()["height"] < 150

    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.get_by_role("columnheader", name="Next re-check").is_visible()
    assert row.locator(".badge:visible", has_text="overdue").count() == 1  # in its column


def test_the_keyboard_skips_the_menu_to_the_worklist(page, context, live_server, owner):
    """Keyboard only, a clinician tabbed through the brand and every menu link on each page
    before the first control of the content: there was no skip link."""
    Patient.objects.create(owner=owner, name="Karl Webb")
    open_as(page, context, live_server, owner, "/worklist/", 1280, 900)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the content")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    assert skip.is_visible() and skip.bounding_box()["height"] >= 24
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Add a person"
    assert page.evaluate("document.activeElement.closest('main') !== null")
