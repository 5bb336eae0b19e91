import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from rlsapp.tracking.models import Patient


class PendingImportQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)

    def expired(self):
        return self.filter(created__lt=timezone.now() - preview_lifetime())


def preview_lifetime() -> datetime.timedelta:
    """How long an upload waits for its confirm (IMPORT_PREVIEW_HOURS): it holds health data."""
    return datetime.timedelta(hours=settings.IMPORT_PREVIEW_HOURS)


class PendingImport(models.Model):
    """A parsed upload waiting for the person to confirm it; deleted on discard or expiry.

    On import it is emptied instead: raw and payload give way to the outcome message
    (views.imports.CONFIRMED), so that a second confirm lands on the same result.
    Expired ones (older than IMPORT_PREVIEW_HOURS) are refused by the preview and deleted
    by `manage.py purge_import_previews`, which compose runs on a schedule.

    Kept in the database rather than the session: a 10,000-row file is too big
    for a session cookie, and the owner and patient keys scope it like every record.
    """

    SOURCE_CHOICES = [("csv", "CSV"), ("fhir", "FHIR")]

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_imports"
    )
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="pending_imports")
    source = models.CharField(max_length=4, choices=SOURCE_CHOICES)
    filename = models.CharField(max_length=255)
    # the uploaded text, so a CSV can be read again with another date order
    raw = models.TextField()
    payload = models.JSONField()  # ParsedImport.to_json()
    created = models.DateTimeField(auto_now_add=True)

    objects = PendingImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.get_source_display()} import of {self.filename}"

    @property
    def is_expired(self) -> bool:
        return self.created < timezone.now() - preview_lifetime()


class InfusionChoice(models.Model):
    """What a person chose when an import met an infusion near a saved one (conflicts.py).

    One row per pair of infusions, each named by its key (date, product, other product
    name, dose; conflicts.infusion_key), the two in sorted order so that the pair is the
    same whichever of them was saved first. `kept` is the key of the one kept, or "both".
    Written when the import is confirmed, so that a re-import does not ask again.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="infusion_choices")
    first = models.CharField(max_length=200)
    second = models.CharField(max_length=200)
    kept = models.CharField(max_length=200)
    decided = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "first", "second"], name="one_choice_per_infusion_pair"
            )
        ]

    def __str__(self):
        return f"{self.first} / {self.second}: kept {self.kept}"
