"""`manage.py purge_signin_logs`: keep sign-in logs for AXES_LOG_RETENTION_DAYS only.

Run it daily (docker-compose's `reminders` service does). Counts only are printed: the
rows hold email addresses and client addresses."""

from django.core.management.base import BaseCommand

from ...signin_logs import purge


class Command(BaseCommand):
    help = "Delete sign-in logs older than AXES_LOG_RETENTION_DAYS and attempts past the cool-off."

    def handle(self, *args, **options):
        deleted = purge()
        summary = ", ".join(f"{count} {name}" for name, count in deleted.items())
        self.stdout.write(f"Deleted {summary}.")
