"""Notes from the guidelines beside the records (issue 17 item 4), labelled as such."""

import datetime

import pytest
from django.urls import reverse

from rlsapp.domain.units import Measurement
from rlsapp.tracking import services
from rlsapp.tracking.models import LabDraw
from tests.reminders.helpers import add_medicine

NOTE = "Note from the guidelines, not advice: IRLSSG (2018) and AASM (2024) do not give iron"


def add_tsat(patient, value, comparator="", day=datetime.date(2025, 3, 1)):
    measurements = {
        "tsat": Measurement("tsat", value, comparator, f"{comparator}{value}", "%"),
        "ferritin": Measurement("ferritin", 80, "", "80", "µg/L"),
    }
    services.save_draw(LabDraw(patient=patient, drawn_on=day), measurements)


@pytest.mark.parametrize(("value", "shown"), [(45, True), (52, True), (44.9, False)])
def test_a_latest_tsat_from_45_percent_shows_the_note(owner_client, patient, value, shown):
    add_tsat(patient, value)
    page = owner_client.get(patient.get_absolute_url()).content.decode()
    report = owner_client.get(reverse("patient_report", args=[patient.pk])).content.decode()
    assert (NOTE in page) is shown
    assert (NOTE in report) is shown


def test_a_tsat_below_a_bound_shows_no_note(owner_client, patient):
    add_tsat(patient, 50, "<")
    assert NOTE not in owner_client.get(patient.get_absolute_url()).content.decode()


def test_only_the_latest_tsat_counts(owner_client, patient):
    add_tsat(patient, 60, day=datetime.date(2025, 1, 1))
    add_tsat(patient, 30, day=datetime.date(2025, 3, 1))
    assert NOTE not in owner_client.get(patient.get_absolute_url()).content.decode()


def test_a_dopamine_agonist_links_to_what_augmentation_looks_like(owner_client, patient):
    add_medicine(patient, datetime.date(2025, 1, 1), "rotigotine", 2, dose_unit="mg/24h")
    add_medicine(patient, datetime.date(2025, 1, 1), "gabapentin", 300)
    page = owner_client.get(reverse("medicine_list", args=[patient.pk])).content.decode()
    assert page.count(reverse("augmentation_help")) == 1  # the agonist's row only
    help_page = owner_client.get(reverse("augmentation_help")).content.decode()
    assert "Notes from the guidelines, not advice" in help_page
    # The app tracks; it tells no one what to do with a medicine (it said "Talk to your
    # clinician before changing any medicine", an instruction, to patient and clinician).
    assert "Talk to your" not in help_page and "treatment is decided with" in help_page
    assert "earlier in the day" in help_page
