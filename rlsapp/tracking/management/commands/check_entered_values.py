"""List, per account, the results whose text as entered reads differently under its region.

For the operator after upgrading to regions (issue 11): results saved when every comma
was a decimal point ("1,050" saved as 1.05). Prints counts per account id only (no
values, names or emails: the owner sees the results at /results/check/ and settles them).
"""

from collections import Counter

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from rlsapp.domain import regions

from ...stored_values import results_to_check


class Command(BaseCommand):
    help = "Count stored lab results that read differently under their account's region."

    def handle(self, *args, **options):
        region_by_owner = {
            pk: regions.get(code)
            for pk, code in get_user_model().objects.values_list("pk", "region")
        }
        found = results_to_check({}, region_by_owner.__getitem__, limit=None)
        counts = Counter(item.result.draw.patient.owner_id for item in found)
        for owner_id, count in sorted(counts.items()):
            region = region_by_owner[owner_id]
            self.stdout.write(f"account {owner_id} ({region.code}): {count} result(s) to check")
        self.stdout.write(
            f"{sum(counts.values())} result(s) in {len(counts)} account(s) read differently "
            "under their region; each owner can settle them at /results/check/."
        )
