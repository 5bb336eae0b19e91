"""`manage.py purge_import_previews`: delete import previews past IMPORT_PREVIEW_HOURS.

A preview holds the health data read from an upload that nobody confirmed; the preview
page already refuses an expired one, and this deletes it. docker-compose's
`import-previews` service runs it every 10 minutes; elsewhere run it from cron. Prints
a count only.
"""

from django.core.management.base import BaseCommand

from ...models import PendingImport


class Command(BaseCommand):
    help = "Delete import previews older than IMPORT_PREVIEW_HOURS (never confirmed)."

    def handle(self, *args, **options):
        deleted, _ = PendingImport.objects.expired().delete()
        self.stdout.write(f"Deleted {deleted} expired import preview(s).")
