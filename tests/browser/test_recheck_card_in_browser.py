"""The re-check card on the patient page, clicked in Chromium.

The card is part of the page's cached body, so its snooze buttons carry no CSRF
token of their own: they submit the page's #recheck-action form (form= and
formaction=). Only a browser shows that this really posts, with a valid token.
"""

import datetime

import pytest
from django.utils import timezone

from rlsapp.reminders.models import Reminder
from rlsapp.tracking import services
from rlsapp.tracking.models import Infusion

from .test_charts_in_browser import sign_in_with_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("weeks", [1, 2])
def test_snooze_buttons_on_a_cached_page_snooze_the_recheck(
    page, context, live_server, owner, patient, console_errors, weeks
):
    today = timezone.localdate()
    services.save_record(  # the write path schedules the re-check
        Infusion(
            patient=patient,
            given_on=today - datetime.timedelta(weeks=3),
            product="derisomaltose",
            dose_mg=1000,
        )
    )
    reminder = Reminder.objects.open().get(patient=patient)
    sign_in_with_cookie(context, live_server, owner)
    url = live_server.url + patient.get_absolute_url()
    page.goto(url)
    page.goto(url)  # the second view is answered from the cache
    label = "Snooze 1 week" if weeks == 1 else "Snooze 2 weeks"
    with page.expect_navigation():  # the POST, then its redirect back to the page
        page.get_by_role("button", name=label).click()
    assert page.url == url
    until = today + datetime.timedelta(weeks=weeks)
    assert page.get_by_text(f"Re-check snoozed until {until.day} {until:%B %Y}.").is_visible()
    reminder.refresh_from_db()
    assert (reminder.status, reminder.snoozed_until) == ("snoozed", until)
    assert page.locator(".badge", has_text="Snoozed").is_visible()
    assert console_errors == []
