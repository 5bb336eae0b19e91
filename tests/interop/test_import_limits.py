"""Issue 13 item 3, the parsers' side: what one upload may cost is bounded.

A 3 MB FHIR Bundle of a million empty entries used to become a million stored
error messages (a 79 MB preview) and hold close to 1 GB while parsed.
"""

import datetime
import json
import time
import tracemalloc

import pytest

from rlsapp.interop.csv import parse_csv
from rlsapp.interop.fhir_parse import parse_bundle
from rlsapp.interop.parsed import ERRORS_KEPT, MAX_RECORDS, ImportRefused, ParsedImport

TODAY = datetime.date(2025, 6, 1)


def bundle_of_empty_entries(count: int) -> bytes:
    return (
        b'{"resourceType":"Bundle","type":"collection","entry":['
        + b",".join([b"{}"] * count)
        + b"]}"
    )


def peak_bytes(work):
    """Peak memory Python allocated while `work()` ran, and what it returned or raised."""
    tracemalloc.start()
    try:
        try:
            outcome = work()
        except ImportRefused as refusal:
            outcome = refusal
        return tracemalloc.get_traced_memory()[1], outcome
    finally:
        tracemalloc.stop()


def test_a_preview_keeps_the_first_errors_and_counts_the_rest():
    parsed = ParsedImport(source="csv")
    for row in range(ERRORS_KEPT + 50):
        parsed.error(row, "Date", "enter a date.")
    assert len(parsed.errors) == ERRORS_KEPT
    assert parsed.errors[-1].row == ERRORS_KEPT - 1
    assert parsed.error_count == ERRORS_KEPT + 50
    again = ParsedImport.from_json(json.loads(json.dumps(parsed.to_json())))
    assert (len(again.errors), again.errors_dropped) == (ERRORS_KEPT, 50)


def test_a_csv_row_with_an_error_past_the_kept_ones_is_still_left_out_whole():
    # Each row's infusion is fine and its ferritin is not: the row must be dropped whole,
    # also after the first ERRORS_KEPT errors, when errors are only counted.
    rows = "".join(f"2024-01-{1 + i % 28:02d},FCM,500,abc\n" for i in range(ERRORS_KEPT + 30))
    parsed = parse_csv(f"Date,Product,Dose (mg),Ferritin (µg/L)\n{rows}".encode(), today=TODAY)
    assert parsed.error_count == ERRORS_KEPT + 30
    assert len(parsed.errors) == ERRORS_KEPT
    assert parsed.infusions == []


def test_the_million_entry_bundle_is_refused_quickly_in_little_memory():
    data = bundle_of_empty_entries(1_000_000)
    started = time.process_time()  # CPU time: other processes' turns do not count
    peak, outcome = peak_bytes(lambda: parse_bundle(data, today=TODAY))
    assert isinstance(outcome, ImportRefused)
    assert f"more than {MAX_RECORDS:,} entries" in str(outcome)
    assert peak < 20_000_000, f"{peak:,} bytes"
    assert time.process_time() - started < 5


def test_a_bundle_at_the_bound_is_read_into_a_small_preview():
    parsed = parse_bundle(bundle_of_empty_entries(MAX_RECORDS), today=TODAY)
    assert parsed.error_count == MAX_RECORDS
    assert parsed.errors[0].message == "entry without a resource."
    assert len(json.dumps(parsed.to_json())) < 50_000


def test_one_entry_over_the_bound_is_refused_with_the_bound_named():
    with pytest.raises(ImportRefused, match=f"more than {MAX_RECORDS:,} entries"):
        parse_bundle(bundle_of_empty_entries(MAX_RECORDS + 1), today=TODAY)


def test_json_nested_deeper_than_fhir_is_refused_before_it_is_built():
    data = b'{"resourceType":"Bundle","entry":[' + b"[" * 1_000_000 + b"]" * 1_000_000 + b"]}"
    peak, outcome = peak_bytes(lambda: parse_bundle(data, today=TODAY))
    assert isinstance(outcome, ImportRefused)
    assert "not a FHIR JSON file" in str(outcome)
    assert peak < 20_000_000, f"{peak:,} bytes"


def test_entries_are_read_in_order_whatever_follows_them():
    # resourceType after the entries, an Organization after the result naming it
    entries = [
        {
            "resource": {
                "resourceType": "Observation",
                "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "2276-4"}]},
                "effectiveDateTime": "2024-03-01",
                "valueQuantity": {"value": 42, "unit": "ng/mL"},
                "performer": [{"reference": "Organization/lab1"}],
            }
        },
        "not an entry",
        {"resource": {"resourceType": "Organization", "id": "lab1", "name": "City Lab"}},
    ]
    data = json.dumps({"entry": entries, "resourceType": "Bundle"}).encode()
    parsed = parse_bundle(b"\xef\xbb\xbf" + data, today=TODAY)
    assert [(d.lab_name, d.rows, d.results[0].value) for d in parsed.draws] == [
        ("City Lab", [1], 42)
    ]
    assert [(e.row, e.message) for e in parsed.errors] == [(2, "entry without a resource.")]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"resourceType": "Bundle", "entry": {"item": {"resource": {}}}}, "has no entries"),
        ({"resourceType": "Bundle", "entry": []}, "has no entries"),
        ({"resourceType": "Patient", "entry": [{}]}, "holds one Patient, not a Bundle"),
        ([{"resourceType": "Bundle", "entry": [{}]}], "has no resourceType"),
    ],
)
def test_what_is_no_bundle_is_refused_as_before(document, message):
    with pytest.raises(ImportRefused, match=message):
        parse_bundle(json.dumps(document).encode(), today=TODAY)


def test_a_csv_file_over_the_bound_is_refused_in_little_memory():
    rows = b"x,1\n" * 100_000  # every row an error: a 13 MB preview before the bound
    peak, outcome = peak_bytes(lambda: parse_csv(b"Date,Ferritin (ug/L)\n" + rows, today=TODAY))
    assert isinstance(outcome, ImportRefused)
    assert f"more than {MAX_RECORDS:,} rows below the header" in str(outcome)
    assert peak < 20_000_000, f"{peak:,} bytes"


def test_a_csv_file_at_the_bound_is_read_after_a_preamble():
    preamble = b"City Lab\nReport for A. Person\n\n"
    parsed = parse_csv(preamble + b"Date,Ferritin (ug/L)\n" + b"x,1\n" * MAX_RECORDS, today=TODAY)
    assert parsed.error_count == MAX_RECORDS
    assert len(json.dumps(parsed.to_json())) < 50_000
    with pytest.raises(ImportRefused, match="more than"):
        parse_csv(preamble + b"Date,Ferritin (ug/L)\n" + b"x,1\n" * (MAX_RECORDS + 1), today=TODAY)
