"""A file's number convention: detected from its cells, changeable, and the values it
reads differently listed before anything is saved (issue 11 items 2 and 10)."""

import pytest

from rlsapp.domain import regions
from rlsapp.interop.csv import parse_csv

R = regions.REGIONS


def parse(text, region="intl", convention="auto"):
    return parse_csv(text.encode(), number_convention=convention, region=R[region])


def values(parsed):
    return [r.value for d in parsed.draws for r in d.results]


def test_a_cell_only_one_convention_reads_decides_for_the_whole_file():
    parsed = parse('Date,Ferritin (µg/L)\n2024-01-02,"1,050.5"\n2024-02-02,"1,050"\n')
    assert (parsed.number_convention, parsed.needs_number_convention) == ("point", False)
    assert values(parsed) == [1050.5, 1050]
    assert [e.row for e in parsed.read_differently] == [3]
    assert "“1,050” is 1050" in parsed.read_differently[0].message
    assert "1.05 with a decimal comma" in parsed.read_differently[0].message


def test_a_german_file_is_read_with_decimal_commas_in_any_account():
    text = "Datum;Ferritin (µg/l);Hb (g/dl)\n02.01.2024;1.050;13,1\n"
    parsed = parse(text, region="US")
    assert (parsed.number_convention, parsed.needs_number_convention) == ("comma", False)
    assert values(parsed) == [1050, 13.1]
    assert not parsed.errors


def test_when_nothing_decides_the_person_chooses_and_the_accounts_way_is_preselected():
    text = 'Date,Ferritin (µg/L)\n2024-01-02,"1,050"\n'
    us = parse(text, region="US")
    assert (us.number_convention, us.needs_number_convention) == ("point", True)
    assert values(us) == [1050]
    assert "choose how the numbers are written" in us.notes[0]
    de = parse(text, region="DE")
    assert (de.number_convention, values(de)) == ("comma", [1.05])


def test_a_chosen_convention_is_used():
    parsed = parse('Date,Ferritin (µg/L)\n2024-01-02,"1,050"\n', region="US", convention="comma")
    assert (parsed.number_convention, parsed.needs_number_convention) == ("comma", False)
    assert values(parsed) == [1.05]


def test_a_cell_in_the_other_convention_is_an_error_naming_the_reading():
    parsed = parse(
        'Date,Hb (g/dL)\n2024-01-02,13.1\n2024-02-02,"12,5"\n', region="US", convention="point"
    )
    assert "did you mean 12.5?" in parsed.errors[0].message


def test_unusual_values_are_listed_for_the_preview():
    parsed = parse("Date,Ferritin (µg/L)\n2024-01-02,5000\n")
    assert values(parsed) == [5000]
    assert parsed.unusual[0].row == 2
    assert "outside the usual 5–1500 µg/L" in parsed.unusual[0].message


def test_the_convention_survives_the_preview_storage():
    from rlsapp.interop.parsed import ParsedImport

    parsed = parse('Date,Ferritin (µg/L)\n2024-01-02,"1,050"\n2024-02-02,5000\n')
    again = ParsedImport.from_json(parsed.to_json())
    assert (again.number_convention, again.needs_number_convention) == ("point", True)
    assert again.read_differently == parsed.read_differently
    assert again.unusual == parsed.unusual


@pytest.mark.parametrize("entered", ["0,36", "0.36"])
def test_rlsapps_own_export_settles_each_value_by_its_stored_value(entered):
    text = (
        '"record","date","analyte","value as entered","unit as entered","stored value",'
        '"stored unit"\n'
        f'"lab","2023-01-14","Hematocrit","{entered}","L/L","36","%"\n'
        '"lab","2023-01-14","Ferritin","1,050","µg/L","1.05","ng/mL"\n'
    )
    parsed = parse(text)
    assert not parsed.errors and not parsed.needs_number_convention
    assert values(parsed) == [36, 1.05]
    assert parsed.read_differently == []
