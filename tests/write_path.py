"""Enforces the one write path during the whole suite: app code may change a record only
from inside the rlsapp/tracking/services package.

Every save or delete of a record model is checked: when app code (rlsapp/, not its
migrations) is on the stack, a file of tracking/services/ must be too. Tests themselves may
build fixtures with the ORM; the app may not. A writer that bypasses the services
fails whichever test reaches it.
"""

import sys
from pathlib import Path

from django.db.models.signals import pre_delete, pre_save

from rlsapp.tracking.models import Infusion, LabDraw, LabResult, Patient, SymptomScore
from rlsapp.tracking.treatments import TREATMENT_MODELS

RECORD_MODELS = (Patient, LabDraw, LabResult, Infusion, SymptomScore, *TREATMENT_MODELS)
APP = Path(__file__).resolve().parent.parent / "rlsapp"
SERVICES = str(APP / "tracking" / "services") + "/"
ALLOWED = (str(APP / "tracking" / "models.py"),)  # the models' own methods


class WriteOutsideServices(AssertionError):
    pass


def written_from():
    """The app files on the stack, innermost first."""
    frame = sys._getframe(2)
    files = []
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(str(APP)) and "/migrations/" not in name and name not in ALLOWED:
            files.append(name)
        frame = frame.f_back
    return files


def check(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    files = written_from()
    if files and not any(name.startswith(SERVICES) for name in files):
        raise WriteOutsideServices(
            f"{sender.__name__} written from {files[0]} without rlsapp/tracking/services/"
        )


def install():
    for model in RECORD_MODELS:
        for signal in (pre_save, pre_delete):
            signal.connect(check, sender=model, dispatch_uid=f"write-path-{model.__name__}")
