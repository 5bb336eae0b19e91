"""The printable report writes the latest values the way the account's region does."""

import datetime

from django.urls import reverse

from ..reminders.helpers import add_ferritin


def test_the_report_shows_results_the_regions_way(owner_client, owner, patient, today):
    from .test_report import results_rows

    add_ferritin(patient, today - datetime.timedelta(days=3), 1050)
    url = reverse("patient_report", args=[patient.pk])
    assert results_rows(owner_client.get(url).content.decode())[0][1].startswith("1050")
    owner.region = "DE"
    owner.save()
    assert results_rows(owner_client.get(url).content.decode())[0][1].startswith("1.050")


def test_the_report_writes_doses_the_regions_way(owner_client, owner, patient, today):
    """A German account's report said '0.25 mg/day (started at 0.125 mg/day)' and '32.5 mg'
    beside lab values written '13,1'."""
    from rlsapp.tracking import services
    from rlsapp.tracking.treatments import OralIronCourse

    from ..reminders.helpers import add_medicine, add_medicine_event

    start = today - datetime.timedelta(days=100)
    medicine = add_medicine(patient, start, "pramipexole", 0.125)
    add_medicine_event(medicine, start + datetime.timedelta(days=10), "dose_change", dose=0.25)
    course = OralIronCourse(patient=patient, elemental_mg=32.5, started_on=start)
    services.save_treatment(course)
    owner.region = "DE"
    owner.save()
    report = owner_client.get(reverse("patient_report", args=[patient.pk])).content.decode()
    assert "0,25 mg/day (started at 0,125 mg/day)" in report
    assert "Dose changed to 0,25 mg/day on" in report
    assert "32,5 mg elemental iron" in report
    assert "0.125" not in report and "32.5" not in report
