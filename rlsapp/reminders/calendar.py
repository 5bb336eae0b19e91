"""Re-checks as iCalendar (RFC 5545), built with the `icalendar` library.

Each open reminder is an all-day event on its reminder date with a morning
alarm. The UID names the reminder (uid), so a moved date updates the same event
in a subscribed calendar and a one-off download never duplicates the feed's.

The feed is polled far more often than re-checks change, so each open reminder's
event is rendered once, when it is saved (Reminder.save stores `event_text`), and
the feed only writes the calendar's header and footer around the stored events.
What an event shows depends on its owner's `calendar_names` setting: changing that
setting renders the account's stored events again (services.set_calendar_names).
"""

import datetime
import functools
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.text import capfirst

PRODID = "-//rlsapp//ferritin re-checks//EN"
ALARM_AT = datetime.timedelta(hours=9)  # on the day, from the all-day event's start
DISCLAIMER = (
    "rlsapp tracks; it does not give medical advice. "
    "Tests and treatment are decided with the treating clinician."
)


def uid(reminder):
    """Stable for the reminder's life: a new row's key (Reminder.event_key) is made before
    its INSERT; rows made before keys were stored keep the id they were served with."""
    host = urlsplit(settings.SITE_URL).hostname or "rlsapp"
    return f"rlsapp-reminder-{reminder.event_key or reminder.pk}@{host}"


def with_names(reminder, names=None) -> bool:
    """Whether entries carry the person's name and the reason: the owner's setting (off by
    default: calendar entries travel to third-party calendar services), or `names`, the
    setting of the member whose feed it is."""
    return reminder.patient.owner.calendar_names if names is None else names


def description(reminder, names=None):
    if not with_names(reminder, names):
        return "\n\n".join(
            [
                "The reason and the dates are in rlsapp:",
                f"{settings.SITE_URL}{reminder.get_absolute_url()}",
                DISCLAIMER,
            ]
        )
    lines = [f"{capfirst(reminder.reason)}.", *reminder.note_lines]
    if reminder.window_text:
        lines.insert(1, reminder.window_text)
    lines.append(f"{settings.SITE_URL}{reminder.get_absolute_url()}")
    lines.append(DISCLAIMER)
    return "\n\n".join(lines)


def event(reminder, names=None):
    summary = "Ferritin re-check"
    if with_names(reminder, names):
        summary = f"{summary}: {reminder.patient.name}"
    item = icalendar.Event()
    item.add("uid", uid(reminder))
    item.add("dtstamp", reminder.updated or timezone.now())
    item.add("dtstart", reminder.remind_on)
    item.add("dtend", reminder.remind_on + datetime.timedelta(days=1))
    item.add("summary", summary)
    item.add("description", description(reminder, names))
    item.add("transp", "TRANSPARENT")  # a reminder, not busy time
    item.add("url", f"{settings.SITE_URL}{reminder.get_absolute_url()}")
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", ALARM_AT)
    item.add_component(alarm)
    return item


def event_text(reminder, names=None) -> str:
    """The reminder's VEVENT exactly as `calendar` writes it inside a calendar."""
    return event(reminder, names).to_ical().decode("utf-8")


def _empty_calendar(name):
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("refresh-interval", datetime.timedelta(hours=6), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT6H")
    return cal


def calendar(reminders, name="rlsapp re-checks", names=None):
    """A calendar of these reminders, every event built afresh."""
    cal = _empty_calendar(name)
    for reminder in reminders:
        cal.add_component(event(reminder, names))
    return cal.to_ical()


@functools.lru_cache(maxsize=8)
def _frame(name):
    """The calendar's lines before its events and after them."""
    whole = _empty_calendar(name).to_ical()
    end = b"END:VCALENDAR\r\n"
    assert whole.endswith(end)
    return whole[: -len(end)], end


def from_events(events, name="rlsapp re-checks") -> bytes:
    """The same bytes as `calendar`, from events already rendered by `event_text`."""
    head, end = _frame(name)
    return head + "".join(events).encode("utf-8") + end
