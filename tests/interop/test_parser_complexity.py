"""Every import parser answers a hostile field in time linear in its length (issue 13, item 1).

Each test feeds one parser a 100,000-character field built to make a backtracking
pattern (or a quadratic loop) run for minutes, and asserts a clear error well
within a generous bound of this process's CPU time: a linear parser needs a small
fraction of it. CPU time, not time on the clock: on a busy machine the clock also
counts the time other processes had the CPU.
"""

import datetime
import time
from contextlib import contextmanager

import pytest

from rlsapp.domain import units
from rlsapp.interop import vocab
from rlsapp.interop.csv import parse_csv
from rlsapp.interop.dates import DateError, order_hint, parse_date
from rlsapp.interop.fhir_parse import parse_bundle
from rlsapp.interop.parsed import ImportRefused

from .fhir_resources import bundle, given_iron, observation, symptom

TODAY = datetime.date(2024, 6, 1)
LONG = 100_000
BOUND_SECONDS = 2.0
SPACES = " " * LONG


@contextmanager
def answers_quickly():
    start = time.process_time()
    yield
    took = time.process_time() - start
    assert took < BOUND_SECONDS, f"took {took:.2f} s of CPU time"


def csv(text):
    return parse_csv(text.encode(), "auto", today=TODAY)


def only_error(parsed):
    assert len(parsed.errors) == 1, parsed.errors
    assert not parsed.record_count
    return parsed.errors[0]


# CSV header


def test_a_header_with_a_long_run_of_spaces_in_a_bracket_is_refused_quickly():
    with answers_quickly(), pytest.raises(ImportRefused) as refusal:
        csv("Date,a(" + SPACES + "x\n2024-01-01,1\n")
    message = str(refusal.value)
    assert "No known analyte column" in message
    assert "column header: 100,003 characters read ('a(" in message
    assert "at most 200 are accepted" in message


def test_a_long_header_next_to_known_columns_is_a_header_error_and_the_rest_is_read():
    with answers_quickly():
        parsed = csv("Date,Ferritin (ng/mL),Ferritin (" + SPACES + "x\n2024-01-01,40,\n")
    assert parsed.result_count == 1
    assert len(parsed.errors) == 1, parsed.errors
    error = parsed.errors[0]
    assert error.row == 1 and error.column.startswith("'Ferritin (")
    assert "100,011 characters read" in error.message and "at most 200" in error.message


def test_a_header_of_many_words_is_refused_quickly():
    with answers_quickly(), pytest.raises(ImportRefused) as refusal:
        csv("Date," + "x " * (LONG // 2) + "\n2024-01-01,1\n")
    assert "at most 200 are accepted" in str(refusal.value)


# A whole CSV file at the upload limit: each took a worker past gunicorn's 30 s timeout
# (a row of empty columns, a row of column headers) or several seconds per separator tried
# (a field past the csv module's limit), before rows were bounded in width and the quote
# finder skipped from quote to quote.
FILE_BOUND_SECONDS = 4.0
AT_LIMIT = 5 * 1024 * 1024


@pytest.mark.parametrize(
    "text",
    [
        ";" * AT_LIMIT,
        "Date," + "ferritin," * (AT_LIMIT // 9),
        "x;" * (AT_LIMIT // 2),
        "Date,Ferritin\n2024-01-01," + "9" * AT_LIMIT,
    ],
    ids=["separators", "analyte headers", "short headers", "one long field"],
)
def test_a_file_at_the_upload_limit_is_refused_quickly(text):
    start = time.process_time()
    with pytest.raises(ImportRefused):
        csv(text)
    took = time.process_time() - start
    assert took < FILE_BOUND_SECONDS, f"took {took:.2f} s of CPU time"


def test_a_row_of_too_many_columns_is_no_header_and_the_refusal_says_why():
    with pytest.raises(ImportRefused) as refusal:
        csv("Date," + ",".join(f"Ferritin {i}" for i in range(600)) + "\n2024-01-01,1\n")
    assert "The row has 601 columns; rlsapp reads at most 500." in str(refusal.value)


def test_blank_columns_after_the_header_are_not_counted():
    parsed = csv("Date,Ferritin" + "," * 5000 + "\n2024-01-01,40\n")
    assert parsed.result_count == 1 and not parsed.errors


# CSV cells


@pytest.mark.parametrize(
    ("header", "cell", "column", "limit"),
    [
        ("Ferritin (ng/mL)", "1" + SPACES + "x", "Ferritin (ng/mL)", 64),
        ("Ferritin", "<" + SPACES + "1x", "Ferritin", 64),
        ("Ferritin", '"' + "1" * LONG + '\nx"', "Ferritin", 64),
        ("Dose,Product", "1" + SPACES + "x,FCM", "Dose", 32),
        ("Severity", "1" + SPACES + "x", "Severity", 16),
        ("Severity,Onset", "5,21" + SPACES + "x", "Onset", 16),
        ("Record,Severity", "s" + SPACES + "x,5", "Record", 32),
    ],
)
def test_a_long_cell_is_a_row_error_naming_its_column(header, cell, column, limit):
    with answers_quickly():
        parsed = csv(f"Date,{header}\n2024-01-01,{cell}\n")
    error = only_error(parsed)
    assert error.column == column
    assert "characters read (" in error.message
    assert f"at most {limit} are accepted" in error.message


def test_a_long_unit_cell_and_test_name_in_the_long_layout_are_row_errors():
    text = (
        "Date,Test,Result,Units\n"
        f"2024-01-01,Ferritin,40,ng{SPACES}x\n"
        f"2024-01-02,Ferritin ({SPACES}x),40,ng/mL\n"
    )
    with answers_quickly():
        parsed = csv(text)
    assert [(e.row, e.column) for e in parsed.errors] == [(2, "Units"), (3, "Test")]
    assert "at most 32 are accepted" in parsed.errors[0].message
    assert "at most 200 are accepted" in parsed.errors[1].message
    assert not parsed.record_count


def test_a_long_date_cell_is_a_row_error():
    with answers_quickly():
        parsed = csv(f"Date,Ferritin\n1{SPACES}x,40\n")
    error = only_error(parsed)
    assert error.column == "Date" and "at most 40 are accepted" in error.message


# Units and analyte vocabulary (pure functions)


def test_split_analyte_and_unit_is_linear_in_words_and_in_spaces():
    with answers_quickly():
        assert vocab.split_analyte_and_unit("x " * (LONG // 2)) == (None, "")
        assert vocab.split_analyte_and_unit("ferritin " + "x " * (LONG // 2)) == (
            "ferritin",
            "/".join(["x"] * (LONG // 2)),
        )
        assert vocab.split_analyte_and_unit("a(" + SPACES + "x") == (None, "")
        assert vocab.split_analyte_and_unit("Ferritin (" + SPACES + "ng/mL)") == (
            "ferritin",
            "ng/mL",
        )


def test_the_unit_vocabulary_and_the_number_reader_are_linear_in_spaces():
    with answers_quickly():
        assert units.unit_key("a" + SPACES + "b") == "a/b"
        assert units.resolve_unit("ferritin", "ng" + SPACES + "/ mL") == "ng/mL"
        with pytest.raises(units.UnitError, match="Enter a number"):
            units.parse_number(SPACES + "x")
        with pytest.raises(units.UnitError, match="Enter a number"):
            units.parse_number("1" + SPACES + "x")
        assert units.parse_number("  <=" + SPACES + "5  ") == ("<=", 5.0)


def test_split_value_and_unit_is_linear():
    with answers_quickly():
        assert vocab.split_value_and_unit("<" + SPACES + "x") == ("<" + SPACES + "x", "")
        assert vocab.split_value_and_unit("1" * LONG + "\nx") == ("1" * LONG, "x")
        assert vocab.split_value_and_unit(SPACES + "1" + SPACES + "x") == ("1", "x")


# Dates (pure functions)


def test_a_long_date_is_refused_quickly():
    with answers_quickly(), pytest.raises(DateError) as error:
        parse_date("1" + SPACES + "x", "dmy", TODAY)
    assert "100,002 characters read ('1 " in str(error.value)
    assert "at most 40 are accepted" in str(error.value)
    with answers_quickly():
        assert order_hint("1/2/2024" + SPACES + "x") == ""


# FHIR


def parsed_bundle(*resources):
    content = bundle(*resources)
    with answers_quickly():
        return parse_bundle(content, today=TODAY)


@pytest.mark.parametrize(
    "value",
    ["1a" * LONG, "1a" * (LONG // 2) + "\nx", "<" + SPACES + "1x"],
    ids=["1a-repeated", "1a-then-a-new-line", "spaces-after-a-comparator"],
)
def test_a_long_value_string_is_an_entry_error(value):
    error = only_error(parsed_bundle(observation(valueString=value)))
    assert error.column == "Observation.valueString"
    assert "characters read (" in error.message and "at most 64 are accepted" in error.message


def test_a_value_string_with_a_unit_is_read():
    parsed = parsed_bundle(
        observation(valueString="12.5 ng/mL"),
        observation(valueString="<5", effectiveDateTime="2024-01-02"),
    )
    assert not parsed.errors
    assert [(r.entered_value, r.entered_unit) for d in parsed.draws for r in d.results] == [
        ("12.5", "ng/mL"),
        ("<5", "µg/L"),
    ]


def test_a_long_quantity_unit_is_an_unknown_unit_quickly():
    quantity = {"value": 40, "unit": "a" + SPACES + "b", "code": "a" + SPACES + "b"}
    error = only_error(parsed_bundle(observation(valueQuantity=quantity)))
    assert error.column == "Observation.valueQuantity.unit"
    assert "unknown unit 'a" in error.message and "…" in error.message


def test_a_long_time_and_a_long_dose_unit_are_entry_errors():
    infusion = given_iron("Ferinject", unit="m" + SPACES + "g", route=None)
    parsed = parsed_bundle(symptom("21" + SPACES), infusion)
    assert [e.column for e in parsed.errors] == [
        "Observation.component.valueTime",
        "MedicationAdministration.dosage.dose",
    ]
    assert all("at most 32 are accepted" in e.message for e in parsed.errors)


def test_long_names_elsewhere_in_a_bundle_are_read_in_linear_time():
    long_name = "iron " * (LONG // 5)
    infusion = given_iron(
        long_name,
        medicationCodeableConcept={"text": long_name, "coding": [{"display": long_name}]},
        note=[{"text": "x" * LONG}],
    )
    lab = observation(
        valueQuantity={"value": 40, "unit": "ng/mL"}, performer=[{"display": "L" * LONG}]
    )
    parsed = parsed_bundle(infusion, lab)
    assert not parsed.errors
    assert parsed.infusions[0].product == "other"
    assert len(parsed.infusions[0].product_other) == 120
    assert len(parsed.draws[0].lab_name) == 120
