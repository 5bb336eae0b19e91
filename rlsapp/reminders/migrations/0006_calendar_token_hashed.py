"""The calendar feed keeps only its token's SHA-256 (rlsapp/tokens.py).

Existing tokens are hashed in place, so every calendar already subscribed keeps working:
the feed hashes the token it is asked for and finds the same row. Going back cannot
recover a token from its hash, so the reverse deletes the feeds (their owners make new
addresses) rather than leave hashes that would be read as tokens.
"""

import hashlib

from django.db import migrations, models


def hash_tokens(apps, schema_editor):
    CalendarFeed = apps.get_model("reminders", "CalendarFeed")
    for feed in CalendarFeed.objects.only("pk", "token_hash").iterator():
        digest = hashlib.sha256(feed.token_hash.encode("utf-8")).hexdigest()
        CalendarFeed.objects.filter(pk=feed.pk).update(token_hash=digest)


def forget_feeds(apps, schema_editor):
    apps.get_model("reminders", "CalendarFeed").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0005_reminder_calendar_event"),
    ]

    operations = [
        migrations.RenameField("calendarfeed", "token", "token_hash"),
        migrations.RunPython(hash_tokens, forget_feeds),
    ]
