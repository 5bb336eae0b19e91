"""A read-only link to one person's charts and report.

The address carries a 256-bit token of which only the SHA-256 is stored (rlsapp/tokens.py):
it is shown once, when made, and cannot be shown again. A link works until it expires or
the owner revokes it; after that it answers exactly as an address never made (a 404).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from rlsapp.tracking.models import Patient


class LinkQuerySet(models.QuerySet):
    def working(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires__gt=now)


class ReadOnlyLink(models.Model):
    person = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="read_only_links")
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    # Who it is for, in the owner's words ("Dr Weber"): tells links apart in the list and
    # in the access log. Optional.
    label = models.CharField(max_length=60, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = LinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self):
        return f"Read-only link {self.pk} to person {self.person_id}"

    @staticmethod
    def url_for(token: str) -> str:
        """The link's address for a token just made (only the hash is stored)."""
        return reverse("link_report", args=[token])

    @property
    def log_label(self) -> str:
        """How the access log names it."""
        name = f"Read-only link {self.pk}"
        return f"{name} ({self.label})"[:80] if self.label else name

    def status(self, now=None) -> str:
        if self.revoked_at:
            return "revoked"
        return "expired" if self.expires <= (now or timezone.now()) else "working"
