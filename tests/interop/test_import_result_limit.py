"""What one import adds is bounded in results and records, not only in rows (probe, round 3).

20,000 CSV rows of six tests each (a 575 KB file) were 120,000 results: parsing took
seconds and confirming ran past gunicorn's 30 s timeout, so the confirm answered 500 and
saved nothing, every time it was tried. A file may now add at most MAX_RECORDS results
and records together (the rows and entries bound stays as it was).
"""

import datetime
import time

import pytest

from rlsapp.interop.csv import parse_csv
from rlsapp.interop.parsed import MAX_RECORDS, ImportRefused
from rlsapp.interop.views.imports import _parse

from .fhir_resources import bundle

TODAY = datetime.date(2026, 11, 30)
HEADER = "Date,Ferritin (µg/L),Hb (g/dL),Iron (µmol/L),TIBC (µmol/L),Hct (%)"


def wide_csv(rows: int, tests: int) -> bytes:
    start = datetime.date(1960, 1, 1)
    header = ",".join(HEADER.split(",")[: tests + 1])
    values = ["80", "13.5", "15", "60", "40"][:tests]
    lines = [f"{start + datetime.timedelta(days=i)},{','.join(values)}" for i in range(rows)]
    return (header + "\n" + "\n".join(lines) + "\n").encode()


def test_a_csv_of_more_results_than_the_bound_is_refused_early():
    rows = MAX_RECORDS // 5 + 1  # under the rows bound, over the results bound
    start = time.process_time()
    with pytest.raises(ImportRefused) as refusal:
        parse_csv(wide_csv(rows, 5), "auto", today=TODAY)
    took = time.process_time() - start
    assert f"more than {MAX_RECORDS:,} results and records" in str(refusal.value)
    assert took < 3.0, f"took {took:.2f} s of CPU time"


def test_a_csv_of_results_at_the_bound_is_read():
    parsed = parse_csv(wide_csv(MAX_RECORDS // 5, 5), "auto", today=TODAY)
    assert parsed.result_count == MAX_RECORDS and not parsed.errors


def panel(day):
    component = [
        {
            "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
            "valueQuantity": {"value": value, "unit": unit},
        }
        for code, value, unit in (("2276-4", 80, "ng/mL"), ("718-7", 13.5, "g/dL"))
    ]
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": "Iron panel"},
        "effectiveDateTime": str(day),
        "component": component,
    }


def test_a_fhir_bundle_of_panels_over_the_bound_is_refused():
    days = [datetime.date(1960, 1, 1) + datetime.timedelta(days=i) for i in range(10_001)]
    with pytest.raises(ImportRefused) as refusal:
        _parse("fhir", bundle(*(panel(day) for day in days)), "auto")
    assert f"more than {MAX_RECORDS:,} results and records" in str(refusal.value)
