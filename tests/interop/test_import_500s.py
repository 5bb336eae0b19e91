"""Imports that ended in a 500 (issue 13 item 7): each is now a clear message or just works.

The length and NUL rules are checked in the parsers, so they hold on SQLite and PostgreSQL
alike: nothing that reaches a preview is too long for its column or holds a NUL.
"""

import datetime
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from rlsapp.interop.csv import MAX_ENTERED_VALUE, parse_csv
from rlsapp.interop.fhir_parse import parse_bundle
from rlsapp.interop.models import PendingImport
from rlsapp.interop.parsed import ImportRefused
from rlsapp.tracking.models import LabDraw, LabResult, SymptomScore

from .fhir_resources import bundle, given_iron, observation, symptom
from .helpers import post_file, preview, preview_url

TODAY = datetime.date(2024, 6, 1)
FORTY = "0" * 38 + "40"  # a number units.measure accepts, 40 characters long


def csv(text):
    return parse_csv(text.encode(), "auto", today=TODAY)


def test_the_limit_is_the_stored_columns_length():
    assert LabResult._meta.get_field("entered_value").max_length == MAX_ENTERED_VALUE


# A 40-character value


@pytest.mark.parametrize(
    ("text", "column"),
    [
        (f"Date,Ferritin (ng/mL)\n2024-01-01,{FORTY}\n", "Ferritin (ng/mL)"),
        (f"Date,Ferritin\n2024-01-01,{FORTY} ng/mL\n", "Ferritin"),
        (f"Date,Test,Result,Units\n2024-01-01,Ferritin,{FORTY},ng/mL\n", "Result"),
    ],
)
def test_a_csv_value_longer_than_its_column_is_a_row_error(text, column):
    parsed = csv(text)
    assert not parsed.record_count
    [error] = parsed.errors
    assert (error.row, error.column) == (2, column)
    assert error.message.startswith("the value: 40 characters read ('000")
    assert "at most 32 are accepted" in error.message


def test_a_fhir_value_longer_than_its_column_is_an_entry_error():
    parsed = parse_bundle(
        bundle(
            observation(valueString=FORTY),
            observation(valueQuantity={"value": 1e32, "unit": "ng/mL"}),  # 33 digits
            observation(valueString="0" * 30 + "40", effectiveDateTime="2024-01-03"),
        ),
        today=TODAY,
    )
    assert [(e.row, e.column) for e in parsed.errors] == [
        (1, "Observation.valueString"),
        (2, "Observation.valueQuantity.value"),
    ]
    assert all("at most 32 are accepted" in e.message for e in parsed.errors)
    assert [r.entered_value for d in parsed.draws for r in d.results] == ["0" * 30 + "40"]


# NUL characters (and half a UTF-16 pair)


def test_a_csv_with_a_nul_byte_is_refused_saying_where():
    content = ("Date,Ferritin\n" + "2024-01-01,40\n" * 300 + "2024-01-02,4\x000\n").encode()
    assert len(content) > 4096  # past the part read for the binary-file check
    with pytest.raises(ImportRefused, match="NUL character .* on line 302"):
        parse_csv(content, today=TODAY)


def test_nul_characters_in_a_fhir_bundle_are_removed_with_a_note():
    lab = observation(
        valueQuantity={"value": 40, "unit": "ng/mL"},
        performer=[{"display": "Lab\u0000 North"}],
        note=[{"text": "fasting\u0000"}],
    )
    infusion = given_iron(
        "Iron\u0000 isomalto\ud800",
        note=[{"text": "Reaction: flush\u0000ing"}, {"text": "arm\ud800"}],
    )
    odd = {"resourceType": "Odd\u0000Thing"}
    parsed = parse_bundle(bundle(lab, infusion, odd), today=TODAY)
    assert parsed.draws[0].lab_name == "Lab North"
    assert parsed.draws[0].note == "fasting"
    # Half a UTF-16 pair is removed, or read as "?" by the JSON reader: never stored as is.
    assert parsed.infusions[0].product_other in ("Iron isomalto", "Iron isomalto?")
    assert parsed.infusions[0].reaction == "flushing"
    assert parsed.infusions[0].notes in ("arm", "arm?")
    assert parsed.skipped["OddThing resources"] == 1
    stored = json.dumps(parsed.to_json(), ensure_ascii=False)
    assert "\x00" not in stored and "\\u0000" not in stored
    stored.encode("utf-8")  # no lone surrogate left
    assert any("no database can store" in note for note in parsed.notes)


# A time with a UTC offset


def test_a_fhir_time_with_an_offset_is_read_as_the_clock_time():
    parsed = parse_bundle(bundle(symptom("21:30:00+02:00")), today=TODAY)
    assert parsed.symptoms[0].onset_time == datetime.time(21, 30)


# Through the views, on the test database (SQLite unless DATABASE_URL is set)


@pytest.mark.django_db
def test_a_bundle_with_an_offset_time_a_nul_and_a_long_value_imports_the_rest(
    owner_client, patient
):
    content = bundle(
        symptom("21:30:00+02:00", effectiveDateTime="2024-01-02"),
        observation(
            valueQuantity={"value": 40, "unit": "ng/mL"}, performer=[{"display": "L\u0000"}]
        ),
        observation(valueString=FORTY, effectiveDateTime="2024-01-03"),
    )
    url, page = preview(owner_client, patient, "b.json", content)
    assert "at most 32 are accepted" in page
    response = owner_client.post(url, {"action": "confirm"})
    assert response.status_code == 302
    assert SymptomScore.objects.get(patient=patient).onset_time == datetime.time(21, 30)
    assert LabDraw.objects.get(patient=patient).lab_name == "L"
    assert LabResult.objects.count() == 1


@pytest.mark.django_db
def test_a_long_csv_value_is_a_row_error_in_the_preview_and_never_stored(owner_client, patient):
    content = f"Date,Ferritin (ng/mL)\n2024-01-01,{FORTY}\n2024-01-02,40\n".encode()
    url, page = preview(owner_client, patient, "f.csv", content)
    assert "at most 32 are accepted" in page
    owner_client.post(url, {"action": "confirm"})
    assert list(LabResult.objects.values_list("entered_value", flat=True)) == ["40"]


# A double-clicked confirm


@pytest.mark.django_db
def test_a_second_confirm_lands_on_the_same_result(owner_client, patient):
    url = preview_url(
        post_file(owner_client, patient, "f.csv", b"Date,Ferritin (ng/mL)\n2024-01-01,40\n")
    )
    first = owner_client.post(url, {"action": "confirm"})
    second = owner_client.post(url, {"action": "confirm"}, follow=True)
    assert first["Location"] == patient.get_absolute_url()
    assert second.redirect_chain == [(patient.get_absolute_url(), 302)]
    assert "Imported 1 lab result(s) in 1 new draw(s)" in second.content.decode()
    assert LabResult.objects.count() == 1
    # Nothing of the file is kept once it is imported.
    pending = PendingImport.objects.get()
    assert (pending.raw, list(pending.payload)) == ("", ["confirmed"])


# Two confirms at once, as two server workers on one SQLite file get them. The test database
# cannot show this: an in-memory SQLite shared between threads locks tables, not the file.
TWO_CLICKS = r"""
import threading, time
import django
django.setup()
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from rlsapp.tracking import services
from rlsapp.tracking.models import LabResult, Patient

user = get_user_model().objects.create_user("alice@example.com", "x-long-enough-password")
patient = Patient.objects.create(owner=user, name="Alice", sex="F")
original = services.add_in_bulk

def slow_add_in_bulk(*args, **kwargs):
    added = original(*args, **kwargs)
    time.sleep(1)  # written, not yet committed: the other click arrives meanwhile
    return added

services.add_in_bulk = slow_add_in_bulk
first = Client()
first.force_login(user)
with open("upload.csv", "wb") as f:
    f.write(b"Date,Ferritin (ng/mL)\n2024-01-01,40\n")
with open("upload.csv", "rb") as f:
    url = first.post(f"/patients/{patient.pk}/import/", {"file": f})["Location"]
second = Client()
second.force_login(user)
answers = []

def click(client, delay):
    time.sleep(delay)
    response = client.post(url, {"action": "confirm"})
    answers.append((response.status_code, response.get("Location", response.content[:200])))

threads = [threading.Thread(target=click, args=(c, d)) for c, d in ((first, 0), (second, 0.3))]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sorted(answers, key=str), LabResult.objects.count(), patient.get_absolute_url())
"""


def test_a_double_clicked_confirm_on_sqlite_waits_its_turn_and_lands_on_the_result(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rlsapp.settings",
        "RLSAPP_DATA_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "testserver",
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    env.pop("DATABASE_URL", None)
    run = subprocess.run(
        [sys.executable, "-c", TWO_CLICKS],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    answers, count, patient_url = run.stdout.strip().splitlines()[-1].rsplit(" ", 2)
    assert answers == str([(302, patient_url), (302, patient_url)])
    assert count == "1"
