"""The person page leaves none of its records to the cycle collector: the draws and their
results, and the medicines and their events, refer to each other while the page is
written (person_page._let_go drops the links after), so reference counting frees them
with the request instead of each page adding some hundred objects to the collector's."""

import gc

from django.db.models import Model
from django.db.models.base import ModelState
from django.urls import reverse

from rlsapp.tracking import compiled
from rlsapp.tracking.access import get_patient_for_user
from rlsapp.tracking.models import LabDraw, LabResult
from rlsapp.tracking.treatments import Medication, MedicationEvent
from rlsapp.web import person_page

from .every_record import person_with_every_record


def cyclic_garbage(run) -> list:
    """The objects `run()` left that only the cycle collector could free."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        run()
        gc.collect()
        return list(gc.garbage)
    finally:
        gc.garbage.clear()
        gc.set_debug(0)
        gc.enable()


def test_the_page_leaves_no_record_to_the_cycle_collector(owner, rf):
    # The page's own work, without the test client (which keeps each response's context,
    # and so every record shown, in a cycle of its own).
    person = person_with_every_record(owner)
    request = rf.get(reverse("patient_detail", args=[person.pk]))
    request.user = owner
    patient = get_patient_for_user(request, person.pk, with_status=True)
    written = []

    left = cyclic_garbage(lambda: written.append(person_page.render_person_page(request, patient)))
    [page] = written
    for shown in ("Lab results", "RLS medicines", "Oral iron", "Infusions", "Symptom scores"):
        assert shown in page["body"]
    # type(), not isinstance(): a lazy object in the garbage would be evaluated.
    assert [o for o in left if issubclass(type(o), Model | ModelState)] == []


def test_the_page_reads_rows_that_refer_to_each_other(owner):
    # What the test above guards against: without the links dropped, the rows the page
    # reads are cycles (so a change that stops reading them together shows here).
    person = person_with_every_record(owner)

    def read():
        draws, _, _ = LabResult.objects.recent_and_latest(person, person_page.RECENT_ROWS)
        found = person_page._read_all(person)
        compiled.as_prefetched(found["medications"], "events", found["events"])
        assert draws and found["events"]

    left = {type(o) for o in cyclic_garbage(read)}
    assert {LabDraw, LabResult, Medication, MedicationEvent} <= left
