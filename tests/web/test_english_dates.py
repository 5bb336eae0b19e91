"""The person page writes its dates with rlsapp.domain.formats instead of Django's date
filter: the same text, for the app's only language (English, no translations)."""

import datetime

import pytest
from django.conf import settings
from django.template.defaultfilters import date
from django.utils import translation

from rlsapp.domain.formats import day_and_month, long_date


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
