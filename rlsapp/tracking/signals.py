"""Move the owner's data version on whenever a patient's records change (versions.py)."""

from django.db.models.signals import post_delete, post_save

from .models import Infusion, LabDraw, LabResult, Patient, SymptomScore
from .versions import bump_data_version


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
