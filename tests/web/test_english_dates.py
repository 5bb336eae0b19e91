"""The person page writes dates and the time since the last infusion with
rlsapp.domain.formats instead of Django's date and timesince filters: the same text, for
the app's only language (English, no translations)."""

import datetime
import random

import pytest
from django.conf import settings
from django.template.defaultfilters import date
from django.utils import translation
from django.utils.timesince import timesince

from rlsapp.domain.formats import day_and_month, long_date, time_since


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


def test_time_since_as_timesince_writes_it():
    rng = random.Random(14)
    moments = [
        datetime.datetime(year, month, day, rng.randrange(24), rng.randrange(60), rng.randrange(60))
        for year in range(2023, 2029)
        for month in range(1, 13)
        for day in (1, 15, 28, 29, 30, 31)
        if day <= (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(1)).day
    ]
    with translation.override("en"):
        for day in every_day(2023, 2027):
            start = datetime.datetime(day.year, day.month, day.day)
            near = [start + datetime.timedelta(seconds=s) for s in (-1, 0, 59, 60, 3600, 86399)]
            for now in [*rng.sample(moments, 12), *near]:
                assert time_since(day, now) == timesince(day, now), (day, now)
