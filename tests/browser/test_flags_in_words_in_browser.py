"""Flags in words on the person page in Chromium (issue 16 item 6): the words show on
screen, without hovering, at 390 and 1280 px."""

import datetime

import pytest

from rlsapp.tracking.models import Infusion
from tests.charts.helpers import add_draw

from .test_charts_in_browser import sign_in_with_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1280])
def test_flags_are_words_on_screen(
    page, context, live_server, owner, patient, console_errors, screenshot, width
):
    day = datetime.date(2026, 6, 1)
    add_draw(patient, day - datetime.timedelta(weeks=2), ferritin=19, hemoglobin=11.2)
    Infusion.objects.create(patient=patient, given_on=day, product="fcm", dose_mg=1000)
    add_draw(patient, day + datetime.timedelta(weeks=5), ferritin=512, tsat=31)
    sign_in_with_cookie(context, live_server, owner)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + patient.get_absolute_url())
    latest = page.locator("#latest-heading + div")
    assert latest.get_by_text("after infusion", exact=True).is_visible()
    assert latest.get_by_text("expected after an infusion", exact=False).is_visible()
    draws = page.locator("section[aria-labelledby='draws-heading']")
    assert draws.get_by_text("low", exact=True).first.is_visible()
    page.wait_for_load_state("load")  # measured with its stylesheets
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    latest.scroll_into_view_if_needed()
    screenshot(page, f"issue16-flags-{width}")
    draws.scroll_into_view_if_needed()
    screenshot(page, f"issue16-flags-table-{width}")
    assert console_errors == []
