"""User-scoped lookups for the interop views; another user's object is a 404."""

from django.shortcuts import get_object_or_404

from rlsapp.tracking.access import EDIT, get_patient_for_user

from .models import PendingImport


def get_pending_import_for_user(request, token):
    """The upload and its patient, both checked against the user (two scoped lookups); a
    member who may no longer edit the person (moved to viewer since the upload) gets a 403."""
    pending = get_object_or_404(PendingImport.objects.for_user(request.user), token=token)
    pending.patient = get_patient_for_user(request, pending.patient_id, need=EDIT)
    return pending
