"""The re-check card on the patient page, clicked in Chromium.

The card is part of the page's cached body, so its snooze buttons carry no CSRF
token of their own: they submit the page's #recheck-action form (form= and
formaction=). Only a browser shows that this really posts, with a valid token.
"""

import datetime

import pytest
from django.utils import timezone

from rlsapp.accounts.me import set_me
from rlsapp.domain import recheck
from rlsapp.reminders.models import Reminder
from rlsapp.tracking import services
from rlsapp.tracking.memberships import VIEWER, Membership
from rlsapp.tracking.models import Infusion
from tests.reminders.helpers import add_episode

from .helpers import OVERFLOW, open_as
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
    # Put off from the re-check's own date (still ahead here), never brought forward, and
    # off a weekend when the person skips them.
    assert reminder.remind_on > today
    until = reminder.remind_on + datetime.timedelta(weeks=weeks)
    if patient.skip_weekends:
        until = recheck.skip_weekend(until)
    assert page.get_by_text(f"Re-check snoozed until {until.day} {until:%B %Y}.").is_visible()
    reminder.refresh_from_db()
    assert (reminder.status, reminder.snoozed_until) == ("snoozed", until)
    assert page.locator(".badge", has_text="Snoozed").is_visible()
    assert console_errors == []


@pytest.mark.parametrize("width", [390, 1280])
def test_the_card_names_the_estimates_basis_to_the_person_and_to_a_viewer(
    page, context, live_server, owner, bob, patient, console_errors, screenshot, width
):
    """An earlier infusion's decline blended with the population default: "your" to Alice,
    who marked herself "This is me", "this person's" to Bob, a viewer; the badge and the
    range fit the screen at either width."""
    today = timezone.localdate()
    earlier, latest = today - datetime.timedelta(weeks=60), today - datetime.timedelta(weeks=12)
    add_episode(patient, earlier, [(w, round(600 * 2 ** (-(w - 4) / 20))) for w in (4, 12, 20, 28)])
    add_episode(patient, latest, [(8, 150)])
    set_me(owner, patient)
    Membership.objects.create(person=patient, account=bob, role=VIEWER)

    for who, user, words in [
        ("owner", owner, "From your own history and the population default"),
        ("viewer", bob, "From this person’s history and the population default"),
    ]:
        context.clear_cookies()
        open_as(page, context, live_server, user, patient.get_absolute_url(), width)
        card = page.locator("section[aria-labelledby=recheck-heading]")
        assert card.locator(".estimate-basis").inner_text() == words
        assert "your" not in card.inner_text().lower() or who == "owner"
        assert page.evaluate(OVERFLOW) <= 0
        screenshot(card, f"recheck-basis-{who}-{width}")
    assert console_errors == []
