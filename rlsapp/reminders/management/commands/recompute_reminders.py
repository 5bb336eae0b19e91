"""Work out every patient's reminder again, e.g. after installing or upgrading rlsapp.

Saving records and settings keeps reminders current on its own; this catches
up data that arrived by other means (imports with signals off, old databases).
"""

from django.core.management.base import BaseCommand

from rlsapp.reminders.services import sync_patient
from rlsapp.tracking.models import Patient


class Command(BaseCommand):
    help = "Recompute the open re-check reminder of every patient."

    def handle(self, *args, **options):
        count = 0
        for patient in Patient.objects.order_by("pk").iterator(chunk_size=200):
            sync_patient(patient)
            count += 1
        self.stdout.write(f"Recomputed reminders for {count} patients.")
