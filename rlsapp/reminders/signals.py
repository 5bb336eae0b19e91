"""Recompute a patient's reminder whenever what it rests on changes.

Receivers run inside the saving transaction, so a form that fails half-way
leaves the reminder as it was. Deleting a whole patient (or account) skips
them: the reminders go with the patient.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from rlsapp.interop.importer import records_imported
from rlsapp.tracking.models import Infusion, LabDraw, LabResult, Patient
from rlsapp.tracking.signals import started_here
from rlsapp.tracking.versions import bump_data_version

from .models import Reminder
from .services import sync_patient

RECORD_MODELS = (LabResult, LabDraw, Infusion)


def _deleting_a_record(origin):
    """True when the deletion started from a record, not from its patient or account."""
    model = getattr(origin, "model", None) or type(origin)
    return model in RECORD_MODELS


@receiver(post_save, sender=LabResult)
def result_saved(sender, instance, raw=False, **kwargs):
    if not raw and instance.analyte == "ferritin":
        sync_patient(instance.draw.patient_id)


@receiver(post_delete, sender=LabResult)
def result_deleted(sender, instance, origin=None, **kwargs):
    if instance.analyte == "ferritin" and _deleting_a_record(origin):
        sync_patient(instance.draw.patient_id)


@receiver(post_save, sender=LabDraw)
def draw_saved(sender, instance, created, raw=False, **kwargs):
    # A new draw has no results yet; its ferritin result triggers the work.
    if not raw and not created:
        sync_patient(instance.patient_id)


@receiver(post_save, sender=Infusion)
def infusion_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        sync_patient(instance.patient_id)


@receiver(post_delete, sender=Infusion)
def infusion_deleted(sender, instance, origin=None, **kwargs):
    if _deleting_a_record(origin):
        sync_patient(instance.patient_id)


@receiver(records_imported)
def records_were_imported(sender, patient, **kwargs):
    # Imports write in bulk (no post_save) and send this once they have committed.
    sync_patient(patient)


@receiver(post_save, sender=Patient)
def patient_saved(sender, instance, created, raw=False, **kwargs):
    if not raw and not created:
        sync_patient(instance)


@receiver([post_save, post_delete], sender=Reminder)
def reminder_changed(sender, instance, raw=False, origin=None, **kwargs):
    # The worklist caches its rows (with each re-check) under the owner's data version.
    if not raw and started_here(sender, origin):
        bump_data_version(patients=instance.patient_id)
