"""Two columns of one analyte: read once when they agree, else the person chooses (issue 18)."""

import datetime
import re

import pytest

from rlsapp.interop.csv import parse_csv
from rlsapp.interop.csv.duplicates import letter
from rlsapp.interop.parsed import ParsedImport
from rlsapp.tracking.models import LabResult

from .helpers import data_file, preview

TODAY = datetime.date(2024, 6, 1)


def ferritin(parsed):
    return {
        d.drawn_on.isoformat(): r.value
        for d in parsed.draws
        for r in d.results
        if r.analyte == "ferritin"
    }


def test_columns_are_named_as_spreadsheets_name_them():
    assert [letter(i) for i in (0, 1, 5, 25, 26, 27, 701, 702)] == [
        "A",
        "B",
        "F",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


def test_two_ferritin_columns_that_agree_are_read_once():
    parsed = parse_csv(data_file("duplicate_ferritin_agree.csv"), today=TODAY)
    assert not parsed.errors
    assert not parsed.column_choices and not parsed.needs_column_choice
    assert ferritin(parsed) == {"2023-01-10": 45, "2023-03-02": 38, "2023-07-14": 5}
    assert sum(len(d.results) for d in parsed.draws) == 7  # 3 ferritin, 4 hemoglobin
    assert any("Columns B and F both hold Ferritin" in note for note in parsed.notes)


def test_two_ferritin_columns_that_differ_are_named_by_letter_for_the_person_to_choose():
    parsed = parse_csv(data_file("duplicate_ferritin_differ.csv"), today=TODAY)
    assert not parsed.errors  # no row refused, as "a second ferritin value" did
    assert parsed.needs_column_choice
    (choice,) = parsed.column_choices
    assert [c["letter"] for c in choice["columns"]] == ["B", "F"]
    assert [c["index"] for c in choice["columns"]] == [1, 5]
    assert choice["differ"] == [
        {"row": 3, "values": ["38", "83"]},
        {"row": 5, "values": ["24", "42"]},
    ]
    assert ferritin(parsed)["2023-03-02"] == 38  # shown from B until the person chooses
    again = ParsedImport.from_json(parsed.to_json())
    assert again.column_choices == parsed.column_choices and again.needs_column_choice


def test_the_chosen_column_is_read_and_the_other_left_out():
    parsed = parse_csv(
        data_file("duplicate_ferritin_differ.csv"), today=TODAY, columns={"ferritin": 5}
    )
    assert not parsed.needs_column_choice
    assert ferritin(parsed) == {
        "2023-01-10": 45,
        "2023-03-02": 83,
        "2023-05-20": 29,
        "2023-07-14": 42,
    }
    assert any(
        "read from column F" in note and "column B not imported" in note for note in parsed.notes
    )


@pytest.mark.django_db
def test_the_preview_asks_which_column_and_imports_only_after_the_choice(owner_client, patient):
    url, page = preview(owner_client, patient, "d.csv", data_file("duplicate_ferritin_differ.csv"))
    assert "Ferritin is in 2 columns (B and F) that differ in 2 rows" in page
    assert 'name="column-ferritin"' in page
    assert re.search(r'value="confirm"[^>]*disabled', page)
    owner_client.post(url, {"action": "confirm"})
    assert not LabResult.objects.filter(draw__patient=patient).exists()
    owner_client.post(url, {"action": "columns", "column-ferritin": "5"})
    page = owner_client.get(url).content.decode()
    assert not re.search(r'value="confirm"[^>]*disabled', page)
    assert "Ferritin 83 µg/L" in page
    owner_client.post(url, {"action": "confirm"})
    stored = LabResult.objects.filter(draw__patient=patient, analyte="ferritin")
    assert sorted(r.value for r in stored) == [29, 42, 45, 83]


@pytest.mark.django_db
def test_the_chosen_column_stays_chosen_when_the_numbers_are_read_again(owner_client, patient):
    url, _ = preview(owner_client, patient, "d.csv", data_file("duplicate_ferritin_differ.csv"))
    owner_client.post(url, {"action": "columns", "column-ferritin": "5"})
    response = owner_client.post(
        url, {"action": "number_convention", "number_convention": "point"}, follow=True
    )
    page = response.content.decode()
    assert "Numbers read with a decimal point" in page
    assert "Ferritin 83 µg/L" in page
    assert not re.search(r'value="confirm"[^>]*disabled', page)
