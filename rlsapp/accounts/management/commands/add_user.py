"""`manage.py add_user EMAIL`: an account made by the operator, confirmed from the start.

The way to make accounts on a server without mail, where open sign-up is closed. The
password is typed twice at a prompt (never an argument: shell history and `ps` would
keep it), or with --link the command prints a one-time link with which the person
chooses their own, to hand over by any channel. The link is printed here, on the
operator's terminal, never logged.
"""

import getpass

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


class Command(BaseCommand):
    help = "Add an account (its email address counts as confirmed)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--link",
            action="store_true",
            help="Print a one-time link for the person to choose their password, "
            "instead of asking for it here.",
        )
        parser.add_argument("--staff", action="store_true", help="May use /admin/.")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args, email, link=False, staff=False, first_name="", last_name="", **opts):
        User = get_user_model()
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an email address.") from None
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(
                f"{email} has an account already (`manage.py changepassword {email}` sets "
                "a new password)."
            )
        user = User(
            email=email,
            first_name=first_name,
            last_name=last_name,
            is_staff=staff,
            email_confirmed=True,
        )
        if link:
            user.set_unusable_password()
        else:
            user.set_password(self.ask_password(user))
        user.save()
        self.stdout.write(f"Added {email}; the address counts as confirmed.")
        if link:
            path = reverse(
                "password_reset_confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                },
            )
            hours = settings.PASSWORD_RESET_TIMEOUT // 3600
            self.stdout.write(
                f"Give them this link to choose a password; it works once, for {hours} hours:\n"
                f"{settings.SITE_URL}{path}"
            )

    def ask_password(self, user):
        for _ in range(3):
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The two passwords differ.")
                continue
            try:
                password_validation.validate_password(password, user)
            except ValidationError as error:
                self.stderr.write(" ".join(error.messages))
                continue
            return password
        raise CommandError("No password set; nothing was added.")
