"""Oral iron courses and RLS medicines in the CSV export, and back in through the import."""

import csv
import datetime
import io

from django.urls import reverse

from rlsapp.interop.csv import parse_csv
from rlsapp.tracking.models import Patient

from .test_fhir_medications import everything, treat
from .test_round_trip import import_file

D = datetime.date
TODAY = D(2025, 6, 1)
COLUMNS = (
    "record,date,product,dose (mg),schedule,vitamin C,end date,why stopped,daily dose,"
    "dose unit,event,medicine started,note"
)
HEADER = ",".join(f'"{c}"' for c in COLUMNS.split(",")) + "\r\n"


def csv_of(client, patient):
    return client.get(reverse("patient_export_csv", args=[patient.pk])).content


def test_a_round_trip_into_a_new_person_keeps_every_field(owner_client, owner, patient):
    treat(patient)
    first = csv_of(owner_client, patient)
    copy = Patient.objects.create(owner=owner, name="Copy")
    import_file(owner_client, copy, "export.csv", first)
    assert everything(copy) == everything(patient)
    assert csv_of(owner_client, copy) == first
    courses, medicines = everything(copy)
    assert len(courses) == 3 and len(medicines) == 3 and len(medicines[1][1]) == 4


def test_the_rows_read_plainly(owner_client, patient):
    treat(patient)
    text = csv_of(owner_client, patient).decode("utf-8-sig")
    rows = [r for r in csv.DictReader(io.StringIO(text)) if r["record"] != "lab"]
    course = next(r for r in rows if r["product"] == "Ferrous sulfate")
    assert {k: v for k, v in course.items() if v} == {
        "record": "oral iron",
        "date": "2023-02-01",
        "product": "Ferrous sulfate",
        "dose (mg)": "65",
        "schedule": "Daily",
        "vitamin C": "yes",
        "end date": "2023-04-30",
        "why stopped": "constipation",
        "note": "with orange juice",
    }
    augmentation = next(r for r in rows if r["event"] == "Augmentation")
    assert (augmentation["product"], augmentation["medicine started"]) == (
        "Pramipexole (Mirapex)",
        "2021-03-01",
    )


def parse(rows):
    return parse_csv((HEADER + "".join(rows)).encode(), today=TODAY)


def test_an_event_follows_its_medicine():
    parsed = parse(
        [
            '"medicine","2024-01-01","Ropinirole","","","","","","1","mg","","",""\r\n',
            '"medicine event","2024-03-01","Ropinirole","","","","","","","","Augmentation",'
            '"2024-01-01","from 3 pm"\r\n',
            '"medicine event","2024-03-01","Pregabalin","","","","","","","","Side effect",'
            '"2024-01-01",""\r\n',
        ]
    )
    [medicine] = parsed.medicines
    assert [(e.kind, e.note) for e in medicine.events] == [("augmentation", "from 3 pm")]
    [error] = parsed.errors
    assert (error.row, error.column) == (4, "medicine started")
    assert "no Pregabalin started on 2024-01-01 above this row" in error.message


def test_bad_cells_are_errors_naming_their_column_and_nothing_is_kept():
    parsed = parse(
        [
            '"oral iron","2024-03-01","Ferrous sulfate","650","Daily","no","","","","","",'
            '"",""\r\n',
            '"oral iron","2024-03-01","Ferrous sulfate","65","Daily","no","2024-02-01","","","",'
            '"","",""\r\n',
            '"medicine","2024-01-01","Pramipexole","","","","","","25","mg","","",""\r\n',
            '"medicine","2024-01-01","Rotigotine","","","","","","2","furlongs","","",""\r\n',
        ]
    )
    assert not parsed.courses and not parsed.medicines
    found = {(e.row, e.column): e.message for e in parsed.errors}
    assert "from 5 to 400 mg" in found[(2, "dose (mg)")]
    assert "is before the start date" in found[(3, "end date")]
    assert "0.0625–4.5 mg per day" in found[(4, "daily dose")]
    assert "'furlongs' read" in found[(5, "dose unit")]


def test_an_unknown_record_type_names_the_new_ones():
    parsed = parse(['"pill","2024-01-01","X","","","","","","1","mg","","",""\r\n'])
    assert "oral iron, medicine or medicine event" in parsed.errors[0].message
