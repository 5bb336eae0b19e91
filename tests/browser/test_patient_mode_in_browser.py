"""Patient mode in Chromium (issue 16 item 3): the home address opens her own page, which
on a phone starts with three buttons and fits the screen; More… opens the rest; the
person form folds its clinical settings away. Screenshots at 390 and 1280 px."""

import datetime

import pytest

from rlsapp.tracking.models import Infusion, SymptomScore
from tests.charts.helpers import DAY0, add_draw, week

from .helpers import open_as, page_width
from .test_accessibility import scan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def history(patient):
    add_draw(patient, DAY0 - datetime.timedelta(days=17), ferritin=40, hemoglobin=12.9)
    for n, value in [(4, 403.6), (8, 377.2), (12, 350.8), (16, 324.4)]:
        add_draw(patient, week(n), ferritin=value, tsat=31)
    Infusion.objects.create(patient=patient, given_on=DAY0, product="fcm", dose_mg=1000)
    SymptomScore.objects.create(patient=patient, recorded_on=week(6), severity=2)


@pytest.mark.parametrize("width", [390, 1280])
def test_home_opens_her_own_page_with_three_buttons(
    page, context, live_server, owner, patient, console_errors, screenshot, width
):
    history(patient)
    open_as(page, context, live_server, owner, "/", width)
    assert page.url == live_server.url + patient.get_absolute_url()
    actions = page.locator(".page-actions")
    visible = [b for b in actions.locator(".btn").all() if b.is_visible()]
    assert [b.inner_text().strip() for b in visible] == ["Add lab result", "Add infusion", "More…"]
    assert not page.get_by_role("link", name="Printable report").is_visible()
    assert page_width(page) <= width
    screenshot(page, f"issue16-patient-mode-{width}")
    page.get_by_text("More…").click()
    assert page.get_by_role("link", name="Printable report").is_visible()
    assert page_width(page) <= width
    screenshot(page, f"issue16-more-menu-{width}")
    found = {}
    scan(page, found, "person page with More… open")
    assert found == {}
    page.keyboard.press("Escape")
    assert not page.get_by_role("link", name="Printable report").is_visible()
    page.get_by_text("More…").click()
    page.locator("h1").click()  # a click elsewhere closes it too
    assert not page.get_by_role("link", name="Printable report").is_visible()
    # The columns' help, on the charts page behind the chart's link, opens on a tap, not on a
    # hover.
    page.get_by_role("link", name="Charts and numbers").first.click()
    page.get_by_text("What the columns mean").click()
    assert page.get_by_text("How many weeks ferritin took to fall by half.").is_visible()
    assert console_errors == []


@pytest.mark.parametrize("width", [390, 1280])
def test_a_new_person_page_is_one_getting_started_note_and_the_form_folds_settings(
    page, context, live_server, owner, patient, console_errors, screenshot, width
):
    open_as(page, context, live_server, owner, patient.get_absolute_url(), width)
    assert page.get_by_role("heading", name="Getting started").is_visible()
    assert page_width(page) <= width
    screenshot(page, f"issue16-getting-started-{width}")
    page.goto(live_server.url + "/patients/new/")
    threshold = page.get_by_label("ferritin threshold (µg/L)")
    assert not threshold.is_visible()
    page.get_by_text("Advanced: re-check settings").click()
    assert threshold.is_visible()
    screenshot(page, f"issue16-person-form-{width}", full_page=True)
    assert console_errors == []
