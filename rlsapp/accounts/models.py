from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models

from rlsapp.domain import regions


def default_region():
    """The install's region for accounts that have not chosen one (settings.DEFAULT_REGION)."""
    return settings.DEFAULT_REGION


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    # Accounts made here come from an operator (createsuperuser, add_user, the demo seed),
    # who vouches for the address. Open sign-up makes its accounts unconfirmed itself.
    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        extra_fields.setdefault("email_confirmed", True)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("email_confirmed", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person signing in: someone tracking themselves, or a clinician."""

    username = None
    email = models.EmailField("email address", unique=True)
    email_reminders = models.BooleanField(
        "email me re-check reminders",
        default=True,
        help_text="Reminders still show in the app and the calendar feed when this is off.",
    )

    # Calendar entries travel to third-party calendar services: by default they say only
    # "Ferritin re-check" and link back (reminders/calendar.py).
    calendar_names = models.BooleanField(
        "show the person's name and the reason in calendar entries",
        default=False,
        help_text="Off: entries say only “Ferritin re-check” and link back here.",
    )

    # An account made by open sign-up cannot sign in until the link mailed to its address
    # is followed (rlsapp/accounts/signup.py); operator-made accounts start confirmed.
    email_confirmed = models.BooleanField(
        "email address confirmed",
        default=False,
        help_text="Only confirmed accounts can sign in.",
    )
    # When open sign-up last mailed this address: one sign-up email per address per
    # SIGNUP_MAIL_INTERVAL, whether or not the address has an account.
    signup_mailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    # How this account reads and shows numbers and dates, and the units the lab form offers
    # first (rlsapp.domain.regions). Existing accounts got the install's DEFAULT_REGION.
    region = models.CharField(
        "region",
        max_length=8,
        choices=regions.REGION_CHOICES,
        default=default_region,
        help_text="How numbers and dates are written (1,050.5 or 1.050,5; day or month first) "
        "and which unit each lab test starts with.",
    )

    # Moved on when how this account sees pages changes (its region): every cached page is
    # keyed with it besides the person's own data version (tracking/caching.py).
    data_version = models.PositiveBigIntegerField(default=0, editable=False)

    # "This is me": the person whose records are this account's own (one at most). Home
    # opens their page instead of the worklist. Set and unset by the account (accounts/me.py)
    # among the people it can see; cleared when it loses access to them (sharing/services.py).
    me = models.ForeignKey(
        "tracking.Patient",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="this is me",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    def __str__(self):
        return self.email

    @property
    def region_rules(self) -> regions.Region:
        return regions.get(self.region)
