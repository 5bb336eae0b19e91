from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

OPEN = ["upcoming", "due", "sent", "snoozed"]
FIELDS = ["remind_on", "soon_from", "reason", "estimate_on", "estimate_from", "estimate_to"]


def fill_rechecks(apps, schema_editor):
    """Each stored row takes its person's open re-check (none: empty), in one UPDATE."""
    Reminder = apps.get_model("reminders", "Reminder")
    PersonStatus = apps.get_model("reminders", "PersonStatus")
    open_one = Reminder.objects.filter(patient_id=OuterRef("patient_id"), status__in=OPEN)
    values = {f"recheck_{f}": Subquery(open_one.values(f)[:1]) for f in FIELDS}
    values["recheck_reason"] = Coalesce(values["recheck_reason"], Value(""))
    PersonStatus.objects.update(**values)


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0007_reminder_email"),
    ]

    operations = [
        migrations.AddField(
            model_name="personstatus",
            name="recheck_remind_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="personstatus",
            name="recheck_soon_from",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="personstatus",
            name="recheck_reason",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AddField(
            model_name="personstatus",
            name="recheck_estimate_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="personstatus",
            name="recheck_estimate_from",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="personstatus",
            name="recheck_estimate_to",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(fill_rechecks, migrations.RunPython.noop),
    ]
