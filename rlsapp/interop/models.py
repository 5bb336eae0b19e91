import uuid

from django.conf import settings
from django.db import models

from rlsapp.tracking.models import Patient


class PendingImportQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)


class PendingImport(models.Model):
    """A parsed upload waiting for the person to confirm it; deleted on import or discard.

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
