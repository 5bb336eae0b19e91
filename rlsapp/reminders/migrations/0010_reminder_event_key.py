# A reminder's calendar UID stops naming its row's id (calendar.uid), so a new reminder's
# event is rendered before its INSERT. Existing rows keep '' and with it the UID they were
# served with: subscribed calendars match events on the UID.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0009_reminder_estimate_basis"),
    ]

    operations = [
        migrations.AddField(
            model_name="reminder",
            name="event_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=32),
        ),
    ]
