"""What `make bench` can call to time a large import (no Django imports at module level).

    from bench.csv_import import synthetic_csv, time_import
    timings = time_import(patient, synthetic_csv(10_000))

`time_import` writes to the database: give it a throwaway patient.
"""

from __future__ import annotations

import datetime
import time

ANALYTE_ROWS = (
    ("Ferritin", "ng/mL", lambda i: 20 + i % 300),
    ("Hb", "g/L", lambda i: 110 + i % 40),
    ("TSAT", "%", lambda i: 10 + i % 40),
    ("Iron", "umol/L", lambda i: 8 + i % 20),
)


def synthetic_csv(rows: int = 10_000) -> bytes:
    """A long-layout CSV of `rows` results, four analytes per weekly draw from 1960 on."""
    lines = ["Date,Test,Result,Unit"]
    start = datetime.date(1960, 1, 1)
    for i in range(rows):
        name, unit, value = ANALYTE_ROWS[i % 4]
        day = start + datetime.timedelta(days=7 * (i // 4))
        lines.append(f"{day.isoformat()},{name},{value(i // 4)},{unit}")
    return ("\n".join(lines) + "\n").encode()


def time_import(patient, data: bytes) -> dict[str, float]:
    """Seconds to parse `data` and to import it into `patient` (one transaction)."""
    from rlsapp.interop.csv import parse_csv
    from rlsapp.interop.importer import import_rows

    started = time.perf_counter()
    parsed = parse_csv(data, today=datetime.date.today())
    parsed_at = time.perf_counter()
    outcome = import_rows(patient, parsed)
    done = time.perf_counter()
    return {
        "rows": parsed.result_count + len(parsed.infusions) + len(parsed.symptoms),
        "created": sum(outcome.created.values()),
        "parse_seconds": parsed_at - started,
        "import_seconds": done - parsed_at,
    }
