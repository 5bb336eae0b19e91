"""Re-checks as iCalendar (RFC 5545), built with the `icalendar` library.

An event's text is written line by line by the library's own escaping and folding
(`_written`), in the order the library's builder (`event`) writes its lines: an event
is rendered on every change of a person's records, and its fixed lines need none of the
builder's typed properties and parameters. tests/reminders/test_event_writer.py keeps
the two byte for byte equal; values the writer does not expect go to the builder.

Each open reminder is an all-day event on its reminder date with a morning
alarm. The UID names the reminder (uid), so a moved date updates the same event
in a subscribed calendar and a one-off download never duplicates the feed's.

The feed is polled far more often than re-checks change, so each open reminder's
event is rendered once, when it is saved (Reminder.save stores `stored_event`), and
the feed only writes the calendar's header and footer around the stored events.
What an event shows depends on its owner's `calendar_names` setting: changing that
setting renders the account's stored events again (account_settings.set_calendar_names).

The disclaimer that ends each event's description is the one thing the feed writes into
the stored events (`from_events`): stored, it would keep the words it was saved with
until the reminder's next reschedule, so a change of wording would reach subscribers
only after `recompute_reminders`. A stored event holds a mark where the disclaimer goes.
"""

import datetime
import functools
import re
from urllib.parse import urlsplit

import icalendar
import icalendar.parser
from django.conf import settings
from django.utils import timezone
from django.utils.text import capfirst

PRODID = "-//rlsapp//ferritin re-checks//EN"
ALARM_AT = datetime.timedelta(hours=9)  # on the day, from the all-day event's start
DISCLAIMER = (
    "rlsapp tracks; it does not give medical advice. "
    "Tests and treatment are decided with the treating clinician."
)


# Control characters but the tab are no TEXT (RFC 5545 3.3.11), and the library writes them
# as they are; a name typed with one (a form feed, an escape) would make the entry invalid.
# Line breaks are escaped by the library instead.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def shown(text: str) -> str:
    """A person's name or the words of a re-check as an entry's TEXT may hold them."""
    return _CONTROLS.sub("", text)


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


def address(reminder) -> str:
    """The person's page in the app, which the event links to."""
    return f"{settings.SITE_URL}{reminder.get_absolute_url()}"


def description(reminder, names=None, disclaimer=None, url=None):
    """The event's description, its paragraphs apart by a blank line; the last paragraph
    is the disclaimer (`disclaimer` '': the text ends with the blank line before it).
    `url`: the reminder's address, if worked out already."""
    disclaimer = DISCLAIMER if disclaimer is None else disclaimer
    url = address(reminder) if url is None else url
    if not with_names(reminder, names):
        return "\n\n".join(["The reason and the dates are in rlsapp:", url, disclaimer])
    lines = [f"{capfirst(reminder.reason)}.", *reminder.note_lines]
    if reminder.window_text:
        lines.insert(1, reminder.window_text)
    lines.append(url)
    lines.append(disclaimer)
    return shown("\n\n".join(lines))


def event(reminder, names=None, disclaimer=None):
    summary = "Ferritin re-check"
    if with_names(reminder, names):
        summary = f"{summary}: {shown(reminder.patient.name)}"
    item = icalendar.Event()
    item.add("uid", uid(reminder))
    item.add("dtstamp", reminder.updated or timezone.now())
    item.add("dtstart", reminder.remind_on)
    item.add("dtend", reminder.remind_on + datetime.timedelta(days=1))
    item.add("summary", summary)
    url = address(reminder)
    item.add("description", description(reminder, names, disclaimer, url))
    item.add("transp", "TRANSPARENT")  # a reminder, not busy time
    item.add("url", url)
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", ALARM_AT)
    item.add_component(alarm)
    return item


def _folded(line: str) -> str:
    """A content line folded as the builder folds it (Contentline.to_ical): a line under
    75 octets, as most are, is left as it is without its walk over every letter."""
    if len(line) < 75 and (line.isascii() or len(line.encode("utf-8")) < 75):
        return line
    return icalendar.parser.Contentline(line).to_ical().decode("utf-8")


def _text(value: str) -> str:
    """A TEXT value escaped as the builder escapes it."""
    return icalendar.vText(value).to_ical().decode("utf-8")


TRIGGER = icalendar.vDuration(ALARM_AT).to_ical().decode("utf-8")


def _written(reminder, names=None, disclaimer=None) -> str | None:
    """`event(...).to_ical()` as text, written line by line: the same lines in the same
    (the builder's sorted) order, escaped and folded by the builder's own rules. None for
    values the builder treats otherwise (a datetime as the day, a stamp without a time
    zone, an address with a line break), which callers leave to the builder."""
    day, stamp = reminder.remind_on, reminder.updated or timezone.now()
    if type(day) is not datetime.date or stamp.tzinfo is None:
        return None
    url = address(reminder)
    if "\r" in url or "\n" in url:
        return None
    summary = "Ferritin re-check"
    if with_names(reminder, names):
        summary = f"{summary}: {shown(reminder.patient.name)}"
    summary = _text(summary)
    end = day + datetime.timedelta(days=1)
    # The builder stores DTSTAMP in UTC (RFC 5545), to the second.
    stamp = stamp.astimezone(datetime.UTC)
    lines = [
        "BEGIN:VEVENT",
        f"SUMMARY:{summary}",
        f"DTSTART;VALUE=DATE:{day.year:04}{day.month:02}{day.day:02}",
        f"DTEND;VALUE=DATE:{end.year:04}{end.month:02}{end.day:02}",
        f"DTSTAMP:{stamp.year:04}{stamp.month:02}{stamp.day:02}"
        f"T{stamp.hour:02}{stamp.minute:02}{stamp.second:02}Z",
        f"UID:{_text(uid(reminder))}",
        f"DESCRIPTION:{_text(description(reminder, names, disclaimer, url))}",
        "TRANSP:TRANSPARENT",
        f"URL:{url}",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{summary}",
        f"TRIGGER:{TRIGGER}",
        "END:VALARM",
        "END:VEVENT",
        "",
    ]
    return "\r\n".join([_folded(line) for line in lines])


def event_text(reminder, names=None) -> str:
    """The reminder's VEVENT exactly as `calendar` writes it inside a calendar."""
    text = _written(reminder, names)
    return event(reminder, names).to_ical().decode("utf-8") if text is None else text


# A stored event's mark where the disclaimer goes: two carriage returns (rendered events
# have them only before a line feed), then the two-digit count of octets on the folded
# line before it, which decides where the disclaimer's own folds fall.
MARK = "\r\r"
_MARKED = re.compile(MARK + r"(\d\d)")
# The description's line: the events' text values have no carriage return of their own.
_DESCRIPTION = re.compile(r"\r\nDESCRIPTION:(?:[^\r]|\r\n )*")


def mark_disclaimer(text: str) -> str:
    """A VEVENT whose description ends with the blank line before the disclaimer, as
    stored: its mark put at the end of that line."""
    end = _DESCRIPTION.search(text).end()
    line = text[text.rfind("\n", 0, end) + 1 : end]
    # A folded line's leading space is the fold's, not the line's (RFC 5545 3.1).
    octets = len(line.encode("utf-8")) - line.startswith(" ")
    return f"{text[:end]}{MARK}{octets:02d}{text[end:]}"


def stored_event(reminder, names=None) -> str:
    """The reminder's VEVENT as stored, the disclaimer left to `from_events`. Folding is
    greedy, so the description's folds before the disclaimer are the same without it."""
    text = _written(reminder, names, disclaimer="")
    if text is None:
        text = event(reminder, names, disclaimer="").to_ical().decode("utf-8")
    return mark_disclaimer(text)


@functools.lru_cache(maxsize=128)
def _disclaimer_after(octets: str, disclaimer: str) -> str:
    """The disclaimer escaped and folded as the description's line continues into it from
    a line of `octets` octets: any stand-in of that many octets folds as the line does
    (the paragraph before it ends with an escaped line break, never with a lone escape)."""
    before = "x" * int(octets)
    line = before + icalendar.vText(disclaimer).to_ical().decode("utf-8")
    return icalendar.parser.Contentline(line).to_ical().decode("utf-8")[len(before) :]


def _empty_calendar(name):
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # An X- property's value is TEXT (RFC 5545 3.8.8.2), but the library leaves unknown
    # properties unescaped: the download's name holds the person's name (, ; \ or a line break).
    cal.add("x-wr-calname", icalendar.vText(shown(name)))
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
    whole = _empty_calendar(name).to_ical().decode("utf-8")
    end = "END:VCALENDAR\r\n"
    assert whole.endswith(end)
    return whole[: -len(end)], end


def from_events(events, name="rlsapp re-checks") -> bytes:
    """The same bytes as `calendar`, from events stored by `stored_event` (the disclaimer
    written in today's words) or rendered whole by `event_text`."""
    head, end = _frame(name)
    parts = _MARKED.split("".join([head, *events, end]))  # each mark's octets between
    parts[1::2] = [_disclaimer_after(octets, DISCLAIMER) for octets in parts[1::2]]
    return "".join(parts).encode("utf-8")
