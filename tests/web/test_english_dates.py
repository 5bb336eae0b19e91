"""The person page writes its dates with rlsapp.domain.formats instead of Django's date
filter: the same text, for the app's only language (English, no translations)."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.template.defaultfilters import date
from django.utils import translation

from rlsapp.domain.formats import day_and_month, long_date
from tests.reminders.helpers import add_infusion


def every_day(first: int, last: int):
    day = datetime.date(first, 1, 1)
    while day.year <= last:
        yield day
        day += datetime.timedelta(days=1)


def test_the_app_is_english_only():
    # Without LocaleMiddleware every request is in LANGUAGE_CODE; no translations of our own.
    assert settings.LANGUAGE_CODE == "en"
    assert not any("LocaleMiddleware" in name for name in settings.MIDDLEWARE)
    assert not settings.LOCALE_PATHS


@pytest.mark.parametrize("language", ["en", None])
def test_dates_as_the_date_filter_writes_them(language):
    with translation.override(language):
        for day in every_day(2023, 2028):
            assert long_date(day) == date(day, "l j F Y")
            moment = datetime.datetime(day.year, day.month, day.day, 23, 59, tzinfo=datetime.UTC)
            assert day_and_month(moment) == date(moment, "j M")


@pytest.mark.django_db
def test_the_last_infusion_is_counted_in_days_not_hours(owner_client, patient):
    """An infusion has a date only: timesince from its midnight said '15 hours, 30 minutes
    ago' on its own day and '1 day, 15 hours ago' the next."""
    add_infusion(patient, datetime.date(2026, 3, 10))
    for now, words in [
        ("2026-03-10 15:30", "(today)"),
        ("2026-03-11 15:30", "(1 day ago)"),
        ("2026-05-12 09:00", "(2 months ago)"),
    ]:
        with time_machine.travel(datetime.datetime.fromisoformat(now), tick=False):
            owner_client.force_login(patient.owner)
            html = owner_client.get(f"/patients/{patient.pk}/").content.decode()
        html = html.replace("\xa0", " ")  # timesince keeps a number and its unit together
        assert f"last infusion 10 Mar 2026 {words}" in html
        assert "hour" not in html.split("last infusion", 1)[1][:60]
