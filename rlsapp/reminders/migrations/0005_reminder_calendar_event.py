import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """Each open reminder keeps its rendered calendar event. Existing rows start empty: the
    feed renders those itself until they are saved again (recompute_reminders saves all)."""

    dependencies = [
        ("reminders", "0004_person_status"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="reminder",
            index=models.Index(
                condition=models.Q(("status__in", ["upcoming", "due", "sent", "snoozed"])),
                fields=["remind_on", "id"],
                name="reminder_open_by_date",
            ),
        ),
        migrations.AddField(
            model_name="reminder",
            name="calendar_event",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        # Was auto_now: Reminder.save sets it before rendering the event that shows it.
        migrations.AlterField(
            model_name="reminder",
            name="updated",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
    ]
