"""The one write path for a person's records.

Every create, change, delete and restore of a Patient, LabDraw, LabResult, Infusion,
SymptomScore, OralIronCourse, Medication or MedicationEvent goes through a function here:
the forms, the importer, the change history's restore, the admin and the demo seed call
them, and nothing else writes those tables.

Each service runs in one transaction and ends by saying what changed, explicitly
(`_changed`):
- the page cache: the owners' data version moves on once, at the end (versions.py);
- the apps that keep state derived from records (the reminder scheduler), named in
  settings.RECORDS_CHANGED_HANDLERS because they sit above this app and may not be
  imported from here. Each handler gets the person ids and the kinds of record changed.

Optimistic locking: an edit passes the version its form was opened at (`seen_version`);
of two saves from the same version exactly one wins and the other raises EditConflict.
Callers without a form leave it UNCHECKED: the version still moves on, so a form opened
before their change cannot overwrite it.

The services live by concern in this package (base, people, records, bulk, treatments); callers
use them from here: `from rlsapp.tracking import services`.
"""

from .base import (
    DRAWS,
    IMPORT_BATCH_SIZE,
    INFUSIONS,
    KIND_OF,
    MEDICINES,
    ORAL_IRON,
    SETTINGS,
    SYMPTOMS,
    UNCHECKED,
    AlreadyPresent,
    EditConflict,
    ParentMissing,
)
from .bulk import Added, add_in_bulk, with_calculated_tsat
from .people import (
    NotDeleted,
    UndoTooLate,
    delete_person,
    erase_account,
    erase_deleted_people,
    erase_person,
    undo_delete_person,
    undo_window,
)
from .records import (
    delete,
    delete_draw,
    delete_record,
    leave_out,
    put_back,
    restore,
    save_draw,
    save_person,
    save_record,
)
from .treatments import InvalidRecord, add_treatments_in_bulk, delete_treatment, save_treatment

__all__ = [
    "DRAWS",
    "IMPORT_BATCH_SIZE",
    "INFUSIONS",
    "KIND_OF",
    "MEDICINES",
    "ORAL_IRON",
    "SETTINGS",
    "SYMPTOMS",
    "UNCHECKED",
    "Added",
    "AlreadyPresent",
    "EditConflict",
    "InvalidRecord",
    "NotDeleted",
    "ParentMissing",
    "UndoTooLate",
    "add_in_bulk",
    "add_treatments_in_bulk",
    "delete",
    "delete_draw",
    "delete_person",
    "delete_record",
    "delete_treatment",
    "erase_account",
    "erase_deleted_people",
    "erase_person",
    "leave_out",
    "put_back",
    "restore",
    "save_draw",
    "save_person",
    "save_record",
    "save_treatment",
    "undo_delete_person",
    "undo_window",
    "with_calculated_tsat",
]
