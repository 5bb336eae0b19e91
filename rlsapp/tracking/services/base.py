"""What every service shares: the kinds of change, telling the handlers and the page
cache what changed, optimistic locking, and crediting the change history."""

from collections.abc import Iterable

from django.conf import settings
from django.db.models import F
from django.utils.module_loading import import_string

from ..models import Infusion, LabDraw, Patient, SymptomScore
from ..treatments import Medication, MedicationEvent, OralIronCourse
from ..versions import bump_person_versions, noting

# What changed, for the handlers: each kind of record, and a person's own settings.
DRAWS, INFUSIONS, SYMPTOMS, SETTINGS = "draws", "infusions", "symptoms", "settings"
ORAL_IRON, MEDICINES = "oral_iron", "medicines"
KIND_OF = {
    LabDraw: DRAWS,
    Infusion: INFUSIONS,
    SymptomScore: SYMPTOMS,
    Patient: SETTINGS,
    OralIronCourse: ORAL_IRON,
    Medication: MEDICINES,
    MedicationEvent: MEDICINES,
}

IMPORT_BATCH_SIZE = 1000


class EditConflict(Exception):
    """Someone else saved the record after the form was opened."""


class AlreadyPresent(Exception):
    """The record to restore exists (it was restored before)."""


class ParentMissing(Exception):
    """A medicine's event cannot come back while the medicine itself is deleted."""


def _handlers():
    return [import_string(path) for path in settings.RECORDS_CHANGED_HANDLERS]


def _changed(persons: Iterable[Patient], kinds: Iterable[str]) -> None:
    """Tell the page cache and the apps that derive state from records what changed.
    Handlers get the Patient objects (no second lookup) and the kinds of record."""
    persons = list({person.pk: person for person in persons}.values())
    if not persons:
        return
    kinds = frozenset(kinds)
    # Inside one_bump_at_the_end (every service) the bump is only noted, before the
    # handlers, so that a handler's last statement may carry it (versions.carrying_the_bump).
    # Outside it the bump is made at once, so after the handlers: a page drawn between two
    # commits could otherwise be cached under the new version with the handlers' old rows.
    noted = noting()
    if noted:
        bump_person_versions(person.pk for person in persons)
    for handler in _handlers():
        handler(persons, kinds)
    if not noted:
        bump_person_versions(person.pk for person in persons)


# Callers without a form (the admin, the seed, commands) change a record whatever its version.
UNCHECKED = object()


def _claim_version(instance, seen_version) -> None:
    """Move an edited record's version on from the one its form was opened at, or raise."""
    if instance._state.adding:
        return
    records = type(instance).objects.filter(pk=instance.pk)
    if seen_version is UNCHECKED:
        records.update(version=F("version") + 1)
        instance.version = records.values_list("version", flat=True).get()
        return
    claimed = seen_version is not None and records.filter(version=seen_version).update(
        version=seen_version + 1
    )
    if not claimed:
        raise EditConflict
    instance.version = seen_version + 1


def _by(instance, user):
    """Credit the change history to `user` where no request says who (seed, commands)."""
    if user is not None:
        instance._history_user = user
    return instance


def _gone_with(history, deleted_reason) -> list:
    """The records of `history` that went with their parent (marked `deleted_reason` when
    it was deleted), each as it was then (unsaved instances)."""
    latest = {}
    for version in history.order_by("-history_date", "-history_id"):
        latest.setdefault(version.id, version)
    return [
        version.instance
        for version in latest.values()
        if version.history_type == "-" and version.history_change_reason == deleted_reason
    ]


def _restore_with(children, restored_reason) -> None:
    """Bring back the records _gone_with found."""
    for child in children:
        child._change_reason = restored_reason
        child.save(force_insert=True)
