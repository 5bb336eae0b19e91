"""`manage.py erase_deleted_people`: erase people deleted longer ago than PERSON_UNDO_MINUTES.

A deleted person is hidden at once and can be brought back until then; this erases them
with every record and the change history of those. `send_reminders` does the same on each
pass (every minute in docker-compose), and every delete does it for earlier ones; run
this from cron where neither runs often. Prints a count only.
"""

from django.core.management.base import BaseCommand

from ... import services


class Command(BaseCommand):
    help = "Erase people deleted longer ago than PERSON_UNDO_MINUTES, with their records."

    def handle(self, *args, **options):
        erased = services.erase_deleted_people()
        self.stdout.write(f"Erased {erased} deleted person(s).")
