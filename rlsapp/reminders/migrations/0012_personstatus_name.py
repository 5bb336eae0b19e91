# The worklist orders, searches and counts everyone from their stored row and the account's
# memberships, without reading each person's own row: the row carries the person's name,
# and a deleted person (waiting to be erased) has none. Existing rows get their person's
# name; a deleted person's row goes (an undo stores it again, as sync_patient does).
# Going back keeps the names' column out and the deleted people's rows gone: the earlier
# worklist reads the name from the person and leaves deleted people out by their own row.

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_names(apps, schema_editor):
    PersonStatus = apps.get_model("reminders", "PersonStatus")
    Patient = apps.get_model("tracking", "Patient")
    alias = schema_editor.connection.alias
    PersonStatus.objects.using(alias).filter(patient__deleted_at__isnull=False).delete()
    PersonStatus.objects.using(alias).update(
        name=Subquery(Patient.objects.filter(pk=OuterRef("patient_id")).values("name")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0011_estimate_basis_blends"),
        ("tracking", "0007_memberships"),
    ]

    operations = [
        migrations.AddField(
            model_name="personstatus",
            name="name",
            field=models.CharField(blank=True, default="", max_length=120),
        ),
        migrations.RunPython(copy_names, migrations.RunPython.noop),
    ]
