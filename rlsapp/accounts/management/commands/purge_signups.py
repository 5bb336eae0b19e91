"""`manage.py purge_signups`: delete sign-ups never confirmed whose link has expired
(EMAIL_CONFIRM_HOURS). Run it daily (docker-compose's `housekeeping` service does). Only the
count is printed: the rows hold email addresses."""

from django.core.management.base import BaseCommand

from ...signup import purge_expired


class Command(BaseCommand):
    help = "Delete sign-ups never confirmed whose confirmation link has expired."

    def handle(self, *args, **options):
        self.stdout.write(f"Deleted {purge_expired()} unconfirmed sign-ups.")
