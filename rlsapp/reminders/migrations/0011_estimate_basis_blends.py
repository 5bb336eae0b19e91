# The estimate's basis names a blend of the person's own results with the population
# default (domain/estimate.py: Estimate.basis) instead of calling it "own history"; the
# longest new key is 18 characters. Stored reminders keep their old key until they are
# worked out again: `manage.py recompute_reminders` (README: run after an upgrade) does
# it for every open one.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0010_reminder_event_key"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reminder",
            name="estimate_basis",
            field=models.CharField(
                blank=True,
                choices=[
                    ("population", "Population default, not your own data"),
                    ("own", "From your own history"),
                    ("own_population", "From your own history and the population default"),
                    (
                        "current_population",
                        "From this infusion’s results and the population default",
                    ),
                ],
                max_length=24,
            ),
        ),
    ]
