"""`manage.py purge_access_log`: keep access-log rows ACCESS_LOG_RETENTION_DAYS and their
client addresses ACCESS_LOG_ADDRESS_DAYS. Run it daily (docker-compose's `housekeeping`
service does). Counts only are printed."""

from django.core.management.base import BaseCommand

from ...access_log import purge


class Command(BaseCommand):
    help = (
        "Delete access-log entries older than ACCESS_LOG_RETENTION_DAYS and drop the "
        "addresses of those older than ACCESS_LOG_ADDRESS_DAYS."
    )

    def handle(self, *args, **options):
        done = purge()
        self.stdout.write(", ".join(f"{count} {what}" for what, count in done.items()) + ".")
