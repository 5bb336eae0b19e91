"""Email due re-check reminders: once from cron, or `--loop SECONDS` as a service.

Safe to run from several machines at once (see rlsapp/reminders/sending.py). Each pass
also erases the people deleted longer ago than PERSON_UNDO_MINUTES (the time to undo),
so that "deleted" soon means gone wherever this runs.
"""

import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from rlsapp.reminders.sending import send_due
from rlsapp.tracking import services


class Command(BaseCommand):
    help = "Email each due re-check reminder once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would be sent; change nothing."
        )
        parser.add_argument(
            "--loop",
            type=int,
            metavar="SECONDS",
            help="Keep running, starting a pass every SECONDS (stop with SIGTERM or Ctrl-C).",
        )

    def on_signal(self, signum, frame):
        self.stdout.write(f"Signal {signum}: stopping after the current reminder.")
        self.stopping = True

    def run_once(self, dry_run):
        if not dry_run:
            erased = services.erase_deleted_people()
            if erased:
                self.stdout.write(f"Erased {erased} deleted person(s).")
        outcome = send_due(
            dry_run=dry_run, out=self.stdout, should_stop=lambda: getattr(self, "stopping", False)
        )
        if not dry_run and (outcome.sent or outcome.failed or outcome.not_emailed):
            why = "opted out" if settings.MAIL_CONFIGURED else "no mail configured"
            self.stdout.write(
                f"Sent {outcome.sent}, failed {outcome.failed} (will retry), "
                f"not emailed ({why}) {outcome.not_emailed}."
            )
        return outcome

    def handle(self, *args, dry_run=False, loop=None, **options):
        if loop is None:
            self.run_once(dry_run)
            return
        if loop < 1:
            raise CommandError("--loop: enter a number of seconds from 1 upwards.")
        self.stopping = False
        signal.signal(signal.SIGTERM, self.on_signal)
        signal.signal(signal.SIGINT, self.on_signal)
        self.stdout.write(f"Sending reminders every {loop} s.")
        while not self.stopping:
            # A long-lived process must not keep a connection the database has dropped.
            close_old_connections()
            try:
                self.run_once(dry_run)
            except Exception as error:  # the database away for a moment: try again next pass
                self.stderr.write(f"Pass failed ({type(error).__name__}); retrying.")
            finally:
                close_old_connections()
            deadline = time.monotonic() + loop
            while not self.stopping and time.monotonic() < deadline:
                time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
        self.stdout.write("Stopped.")
