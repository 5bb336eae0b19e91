from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rlsapp.tracking import services
from rlsapp.tracking.demo import DEMO_EMAIL, DEMO_PASSWORD, create_demo_people


class Command(BaseCommand):
    help = "Create the demo account with a two-year history (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo account first and rebuild it."
        )

    def handle(self, *args, reset=False, **options):
        if not settings.DEBUG:
            raise CommandError("The demo account is only created with DEBUG on.")
        User = get_user_model()
        if reset:
            # As an account's deletion: its people with every record and their history.
            for demo in User.objects.filter(email=DEMO_EMAIL):
                services.erase_account(demo)
        if User.objects.filter(email=DEMO_EMAIL).exists():
            self.stdout.write("The demo account exists already (use --reset to rebuild it).")
        else:
            user = User.objects.create_user(DEMO_EMAIL, DEMO_PASSWORD, first_name="Demo")
            people = create_demo_people(user, timezone.localdate())
            self.stdout.write(f"Created the demo account: {len(people)} people, two years each.")
        self.stdout.write(f"Demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}")
