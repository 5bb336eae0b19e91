"""The stored and per-member events are written line by line (calendar._written): they must
be the builder's bytes (calendar.event, the icalendar library) for any name, reason, note,
date, time stamp and site address, hostile ones included."""

import datetime
import zoneinfo

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlsapp.accounts.models import User
from rlsapp.reminders import calendar
from rlsapp.reminders.models import Reminder
from rlsapp.tracking.models import Patient

# Letters of one to four octets, the characters TEXT escapes (\ ; , and line breaks, the
# two-letter \N the builder reads as one) and ones that look like a fold or a mark.
LETTERS = st.sampled_from(list('aZ09 :;,\\"^Nn\r\n\t.-éß€😀\u0301ǅ')) | st.characters(
    blacklist_categories=("Cs",)
)
TEXT = st.text(LETTERS, max_size=120)
DAYS = st.dates(datetime.date(1, 1, 1), datetime.date(9998, 12, 30))
ZONES = st.sampled_from(
    [datetime.UTC, zoneinfo.ZoneInfo("Europe/Berlin"), zoneinfo.ZoneInfo("America/St_Johns")]
)
STAMPS = st.builds(
    lambda moment, zone: moment.replace(tzinfo=datetime.UTC).astimezone(zone),
    st.datetimes(datetime.datetime(2, 1, 1), datetime.datetime(9998, 1, 1)),
    ZONES,
)
SITES = st.sampled_from(
    ["http://127.0.0.1:8000", "https://rls.example", "https://a,b;c\\d.example", ""]
) | st.builds(lambda host: f"https://{host}.example", st.text("abc.-é,;\\", max_size=90))


def reminder(name, reason, notes, day, stamp, estimate, names_on, key, pk):
    owner = User(email="o@example.com", calendar_names=names_on)
    patient = Patient(pk=pk, name=name, owner=owner)
    crossing, early, late = estimate
    return Reminder(
        pk=pk,
        patient=patient,
        reason=reason,
        notes=notes,
        remind_on=day,
        updated=stamp,
        estimate_on=crossing,
        estimate_from=early,
        estimate_to=late,
        event_key=key,
        status=Reminder.UPCOMING,
    )


ESTIMATES = st.one_of(
    st.just((None, None, None)),
    st.tuples(DAYS, DAYS, st.none() | DAYS),
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=TEXT,
    reason=TEXT,
    notes=TEXT,
    day=DAYS,
    stamp=STAMPS,
    estimate=ESTIMATES,
    names_on=st.booleans(),
    names=st.sampled_from([None, True, False]),
    disclaimer=st.sampled_from([None, "", "rlsapp; tracks, \\N only"]),
    key=st.sampled_from(["", "0123456789abcdef0123456789abcdef", "a;b,c"]),
    pk=st.integers(1, 2**31 - 1),
    site=SITES,
)
def test_the_written_event_is_the_builders(
    name, reason, notes, day, stamp, estimate, names_on, names, disclaimer, key, pk, site
):
    with override_settings(SITE_URL=site):
        item = reminder(name, reason, notes, day, stamp, estimate, names_on, key, pk)
        built = calendar.event(item, names, disclaimer).to_ical().decode("utf-8")
        assert calendar._written(item, names, disclaimer) == built
        if disclaimer == "":
            assert calendar.stored_event(item, names) == calendar.mark_disclaimer(built)
        if disclaimer is None:
            assert calendar.event_text(item, names) == built


def test_values_the_builder_treats_otherwise_are_left_to_it(settings):
    """A stamp without a time zone, a datetime as the day, an address with a line break."""
    item = reminder(
        "Ann", "Routine re-check", "", datetime.date(2026, 5, 1), None, (None,) * 3, True, "", 7
    )
    item.updated = datetime.datetime(2026, 5, 1, 10, 30)
    assert calendar._written(item) is None
    assert calendar.stored_event(item) == calendar.mark_disclaimer(
        calendar.event(item, disclaimer="").to_ical().decode("utf-8")
    )
    item.updated = datetime.datetime(2026, 5, 1, 10, 30, tzinfo=datetime.UTC)
    item.remind_on = datetime.datetime(2026, 5, 1, 8, 0)
    assert calendar._written(item) is None
    assert calendar.event_text(item) == calendar.event(item).to_ical().decode("utf-8")
    item.remind_on = datetime.date(2026, 5, 1)
    settings.SITE_URL = "https://rls.example\r\nX-EVIL:1"
    assert calendar._written(item) is None
    with pytest.raises(ValueError):
        calendar.stored_event(item)
