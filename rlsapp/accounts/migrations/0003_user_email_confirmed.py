from django.db import migrations, models


def confirm_existing_accounts(apps, schema_editor):
    """Accounts made before addresses were confirmed keep signing in as before."""
    apps.get_model("accounts", "User").objects.update(email_confirmed=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_data_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_confirmed",
            field=models.BooleanField(
                default=False,
                help_text="Only confirmed accounts can sign in.",
                verbose_name="email address confirmed",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="signup_mailed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(confirm_existing_accounts, migrations.RunPython.noop),
    ]
