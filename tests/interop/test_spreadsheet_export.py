"""The spreadsheet export writes numbers and dates the account's region's way (issue 11)."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from rlsapp.tracking.models import Infusion, LabDraw, LabResult

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(patient):
    draw = LabDraw.objects.create(
        patient=patient, drawn_on=datetime.date(2026, 10, 20), lab_name="Labor Berlin"
    )
    for code, value, entered, unit in [
        ("ferritin", 1050, "1.050", "µg/L"),
        ("hemoglobin", 13.1, "131", "g/L"),
    ]:
        LabResult.objects.create(
            draw=draw, analyte=code, value=value, entered_value=entered, entered_unit=unit
        )
    Infusion.objects.create(
        patient=patient, given_on=datetime.date(2026, 8, 21), product="fcm", dose_mg=1000
    )


def download(client, patient):
    response = client.get(reverse("patient_export_spreadsheet", args=[patient.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-spreadsheet.csv"')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return text[1:]


def test_a_german_account_gets_semicolons_decimal_commas_and_day_first_dates(
    owner_client, owner, patient, records
):
    owner.region = "DE"
    owner.save()
    rows = list(csv.reader(io.StringIO(download(owner_client, patient)), delimiter=";"))
    assert rows[0][:6] == ["Date", "Record", "Lab", "Test", "Value", "Unit"]
    assert rows[1][:3] == ["21.08.2026", "infusion", ""]
    assert rows[2][:7] == [
        "20.10.2026",
        "lab result",
        "Labor Berlin",
        "Ferritin",
        "1050",
        "µg/L",
        "1.050 µg/L",
    ]
    assert rows[3][3:7] == ["Hemoglobin", "13,1", "g/dL", "131 g/L"]


def test_a_us_account_gets_commas_decimal_points_and_month_first_dates(
    owner_client, owner, patient, records
):
    owner.region = "US"
    owner.save()
    rows = list(csv.reader(io.StringIO(download(owner_client, patient))))
    assert rows[3][0] == "10/20/2026" and rows[3][4] == "13.1"


def test_another_accounts_person_is_a_404(outsider_client, patient, records):
    url = reverse("patient_export_spreadsheet", args=[patient.pk])
    assert outsider_client.get(url).status_code == 404


def test_the_export_menu_says_which_file_is_canonical(owner_client, patient):
    html = owner_client.get(patient.get_absolute_url()).content.decode()
    assert "decimal point, ISO dates: reads back into rlsapp" in html
    assert reverse("patient_export_spreadsheet", args=[patient.pk]) in html


def test_a_ferritin_left_out_of_the_fits_says_so(owner_client, patient, records):
    from rlsapp.tracking import services

    services.leave_out(LabDraw.objects.get(patient=patient), "illness", "flu")
    text = download(owner_client, patient)
    rows = list(csv.DictReader(io.StringIO(text)))
    ferritin = next(r for r in rows if r["Test"] == "Ferritin")
    assert (ferritin["Left out of fits"], ferritin["Left out note"]) == ("illness", "flu")
