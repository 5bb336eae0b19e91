# Stored calendar events stop holding their disclaimer: the feed writes it in today's words
# (calendar.from_events), so a change of wording reaches every subscriber without a command.
# Each stored event loses its description's last paragraph (the disclaimer, in whatever
# words it was saved with) and gets, where it was, the mark the feed writes it at.
# Going back writes today's disclaimer where the mark is.
# The format is copied here as it is at this migration (calendar.mark_disclaimer).

import re

import icalendar
import icalendar.parser
from django.db import migrations

MARK = "\r\r"
DESCRIPTION = re.compile(r"\r\nDESCRIPTION:(?:[^\r]|\r\n )*")
BREAK = "\\n\\n"  # the blank line before the disclaimer, escaped
DISCLAIMER = (
    "rlsapp tracks; it does not give medical advice. "
    "Tests and treatment are decided with the treating clinician."
)


def _fold(line):
    return icalendar.parser.Contentline(line).to_ical().decode("utf-8")


def _marked(text):
    """The event without its disclaimer, marked; None when it has no mark to get."""
    found = DESCRIPTION.search(text)
    if found is None or MARK in text:
        return None
    line = found.group()[2:].replace("\r\n ", "")  # the description's line, unfolded
    if BREAK not in line:
        return None
    # The disclaimer has no line break, so the last blank line is the one before it.
    kept = _fold(line[: line.rindex(BREAK) + len(BREAK)])
    last = kept[kept.rfind("\n") + 1 :]
    octets = len(last.encode("utf-8")) - last.startswith(" ")
    return f"{text[: found.start() + 2]}{kept}{MARK}{octets:02d}{text[found.end() :]}"


def _whole(text):
    """The event with today's disclaimer written at its mark."""
    before, mark, after = text.partition(MARK)
    if not mark:
        return None
    stand_in = "x" * int(after[:2])
    escaped = icalendar.vText(DISCLAIMER).to_ical().decode("utf-8")
    return before + _fold(stand_in + escaped)[len(stand_in) :] + after[2:]


def _rewrite(apps, schema_editor, how):
    Reminder = apps.get_model("reminders", "Reminder")
    stored = Reminder.objects.using(schema_editor.connection.alias).exclude(calendar_event="")
    changed = []
    for reminder in stored.only("pk", "calendar_event").iterator(chunk_size=500):
        text = how(reminder.calendar_event)
        if text is not None:
            reminder.calendar_event = text
            changed.append(reminder)
    Reminder.objects.using(schema_editor.connection.alias).bulk_update(
        changed, ["calendar_event"], batch_size=500
    )


def mark(apps, schema_editor):
    _rewrite(apps, schema_editor, _marked)


def unmark(apps, schema_editor):
    _rewrite(apps, schema_editor, _whole)


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0012_personstatus_name"),
    ]

    operations = [migrations.RunPython(mark, unmark)]
