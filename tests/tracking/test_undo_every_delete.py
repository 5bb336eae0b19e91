"""Every record's delete ends with Undo in the message (issue 16 item 7), and Undo brings
that record back."""

import datetime

import pytest
from django.urls import reverse

from rlsapp.tracking import services
from rlsapp.tracking.models import Infusion, SymptomScore
from rlsapp.tracking.treatments import Medication, MedicationEvent, OralIronCourse

DAY = datetime.date(2026, 10, 1)


def make(kind, patient):
    if kind == "infusion":
        return services.save_record(Infusion(patient=patient, given_on=DAY, dose_mg=1000))
    if kind == "symptom":
        return services.save_record(SymptomScore(patient=patient, recorded_on=DAY, severity=4))
    if kind == "course":
        course = OralIronCourse(patient=patient, elemental_mg=65, started_on=DAY)
        return services.save_treatment(course)
    medicine = services.save_treatment(
        Medication(patient=patient, drug="gabapentin", dose=300, started_on=DAY)
    )
    if kind == "medicine":
        return medicine
    event = MedicationEvent(medication=medicine, happened_on=DAY, kind="side_effect")
    return services.save_treatment(event)


@pytest.mark.parametrize("kind", ["infusion", "symptom", "course", "medicine", "medicine_event"])
def test_every_delete_offers_an_undo_that_restores_the_record(owner_client, patient, kind):
    record = make(kind, patient)
    model, pk = type(record), record.pk
    page = owner_client.post(reverse(f"{kind}_delete", args=[pk]), follow=True)
    html = page.content.decode()
    assert not model.objects.filter(pk=pk).exists()
    start = html.index("Deleted the")
    form = html[start : html.index("</form>", start)]
    assert ">Undo</button>" in form
    owner_client.post(form.split('action="')[1].split('"')[0])
    assert model.objects.filter(pk=pk).exists()
