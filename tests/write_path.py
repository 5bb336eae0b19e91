"""Enforces the one write path during the whole suite: app code may change a record only
from inside the rlsapp/tracking/services package.

Every write of a record's table is checked: when app code (rlsapp/, not its migrations) is
on the stack, a file of tracking/services/ must be too. Tests themselves may build fixtures
with the ORM; the app may not. A writer that bypasses the services fails whichever test
reaches it. Checked twice: each save or delete (the model signals: the error names the
model), and each statement that inserts into, updates or deletes from a record's table
(a database execute wrapper), which also sees QuerySet.update(), bulk_create() and SQL
written by hand, none of which sends a signal. Moving a person's data version on (the page
cache's key, not a record) is no record change.
"""

import re
import sys
from pathlib import Path

from django.db import connections
from django.db.backends.signals import connection_created
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


TABLES = "|".join(re.escape(model._meta.db_table) for model in RECORD_MODELS)
# A statement's write of a record table, in any part of it (a WITH part too), quoted as
# SQLite and PostgreSQL quote names.
WRITES = re.compile(rf'\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"(?:{TABLES})"', re.I)
# The one write of a record table that is not a record change: the data version alone.
VERSION_ONLY = re.compile(
    rf'\bUPDATE\s+"{re.escape(Patient._meta.db_table)}"\s+SET\s+"data_version"\s*=[^,]*?\bWHERE\b',
    re.I,
)


def check_statement(execute, sql, params, many, context):
    writes = WRITES.findall(sql) if isinstance(sql, str) else ()
    if writes and len(writes) > len(VERSION_ONLY.findall(sql)):
        files = written_from()
        if files and not any(name.startswith(SERVICES) for name in files):
            raise WriteOutsideServices(
                f"a record table written from {files[0]} without rlsapp/tracking/services/: "
                f"{sql[:200]}"
            )
    return execute(sql, params, many, context)


def watch(connection, **kwargs):
    if check_statement not in connection.execute_wrappers:
        connection.execute_wrappers.append(check_statement)


def install():
    for model in RECORD_MODELS:
        for signal in (pre_save, pre_delete):
            signal.connect(check, sender=model, dispatch_uid=f"write-path-{model.__name__}")
    # Each thread's connections as they connect, and this thread's made already.
    connection_created.connect(watch, dispatch_uid="write-path-statements")
    for connection in connections.all():
        watch(connection)
