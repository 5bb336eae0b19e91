"""Bump the owner's data version whenever a patient's records change.

Pages cache what they render under that version (rlsapp/tracking/caching.py);
bumping it in the same transaction as the change means no cached page can show
data older than what has been committed.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save

from .models import Infusion, LabDraw, LabResult, Patient, SymptomScore


def bump_data_version(**owner_filter):
    get_user_model().objects.filter(**owner_filter).update(data_version=F("data_version") + 1)


def bump_data_versions(user_ids):
    """Several users' versions at once, their rows locked in id order: two senders moving
    overlapping sets on at the same time wait for each other instead of deadlocking."""
    User = get_user_model()
    with transaction.atomic():
        locked = list(
            User.objects.select_for_update()
            .filter(pk__in=user_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        User.objects.filter(pk__in=locked).update(data_version=F("data_version") + 1)


def started_here(sender, origin):
    """False for rows deleted in a cascade: the record that started it bumps once for all."""
    if origin is None:
        return True
    return (getattr(origin, "model", None) or type(origin)) is sender


def patient_changed(sender, instance, raw=False, origin=None, **kwargs):
    if not raw and started_here(sender, origin):
        previous_owner = getattr(instance, "owner_id_from_db", None)
        if previous_owner not in (None, instance.owner_id):
            bump_data_version(pk__in=[previous_owner, instance.owner_id])
        else:
            bump_data_version(pk=instance.owner_id)


def record_changed(sender, instance, raw=False, origin=None, **kwargs):
    if not raw and started_here(sender, origin):
        bump_data_version(patients=instance.patient_id)


def result_changed(sender, instance, raw=False, origin=None, **kwargs):
    if not raw and started_here(sender, origin):
        bump_data_version(patients__draws=instance.draw_id)


def connect():
    for signal in (post_save, post_delete):
        signal.connect(patient_changed, sender=Patient, dispatch_uid=f"{signal}-patient")
        signal.connect(result_changed, sender=LabResult, dispatch_uid=f"{signal}-result")
        for model in (LabDraw, Infusion, SymptomScore):
            signal.connect(record_changed, sender=model, dispatch_uid=f"{signal}-{model.__name__}")
