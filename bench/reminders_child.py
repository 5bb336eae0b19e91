"""One run of `send_reminders` in a process of its own, so its peak memory is its own.

    python -m bench.reminders_child --due N

Makes the first N of the bench clinician's open reminders due this morning (the
others a month away), runs the command once, and prints one JSON line: reminders
sent, seconds, and resident memory before and after. The parent samples this process's
memory from outside (a sampling thread in here would slow the run by a third).
"""

import argparse
import datetime
import io
import json
import os
import resource
import time

PAGE_KIB = resource.getpagesize() // 1024


def rss_kib():
    """Resident memory now (ru_maxrss would only give the high-water mark since start-up)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_KIB


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--due", type=int, required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from rlsapp.reminders.models import Reminder
    from rlsapp.tracking.versions import bump_account_version

    from .seed import BENCH_EMAIL

    now = timezone.now()
    mine = Reminder.objects.open().filter(patient__owner__email=BENCH_EMAIL)
    fresh = dict(
        status=Reminder.UPCOMING,
        claimed_at=None,
        claim=None,
        sent_at=None,
        attempts=0,
        last_error="",
    )
    due_pks = list(mine.order_by("pk").values_list("pk", flat=True)[: args.due])
    with transaction.atomic():
        mine.update(send_after=now + datetime.timedelta(days=30), **fresh)
        Reminder.objects.filter(pk__in=due_pks).update(
            send_after=now - datetime.timedelta(hours=1), **fresh
        )
        # update() bypasses the services; pages cached before may show a status.
        bump_account_version(get_user_model().objects.get(email=BENCH_EMAIL).pk)
    del due_pks
    if connection.vendor == "postgresql":
        # The resets above leave every reminder row with dead versions; vacuum them as
        # autovacuum would have done between two real morning runs, so reruns compare.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {Reminder._meta.db_table}")
    before = rss_kib()
    started = time.perf_counter()
    call_command("send_reminders", stdout=io.StringIO())
    seconds = time.perf_counter() - started
    after = rss_kib()
    sent = Reminder.objects.filter(
        patient__owner__email=BENCH_EMAIL, status=Reminder.SENT, sent_at__gte=now
    ).count()
    still_due = mine.filter(send_after__lte=timezone.now()).count()
    print(
        "BENCH "
        + json.dumps(
            {
                "due": args.due,
                "sent": sent,
                "left_due": still_due,
                "seconds": seconds,
                "rss_before_kib": before,
                "rss_after_kib": after,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
