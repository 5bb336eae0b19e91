"""Work out every patient's reminder again, e.g. after installing or upgrading rlsapp.

Saving records and settings keeps reminders current on its own (tracking.services);
this catches up old databases and a change of the rules themselves, and stores the
chart's past estimates again.
"""

from django.core.management.base import BaseCommand

from rlsapp.reminders.services import sync_patient
from rlsapp.tracking.models import PastEstimates, Patient
from rlsapp.tracking.versions import bump_person_versions


class Command(BaseCommand):
    help = "Recompute the open re-check reminder of every patient."

    def handle(self, *args, **options):
        # The chart's stored past estimates are stored again too: their digest already tells
        # a row from older code (domain/past_episodes.py), and this makes every row current.
        PastEstimates.objects.all().delete()
        count = 0
        for patient in Patient.objects.order_by("pk").iterator(chunk_size=200):
            sync_patient(patient)
            count += 1
        # Cached pages show each re-check: they must all be rendered again.
        bump_person_versions(Patient.objects.values_list("pk", flat=True))
        self.stdout.write(f"Recomputed reminders for {count} patients.")
