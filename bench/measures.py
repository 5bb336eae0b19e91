"""The measurements beside the HTTP load: send_reminders, CSV import, the browser chart.

Each returns a dict for bench.report, or {"missing": why} when the code it measures
is not there (so the table says so instead of showing a number nobody measured).
"""

import csv
import datetime
import io
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _child(module, *argv, timeout=600):
    done = subprocess.run(
        [sys.executable, "-m", module, *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCH "):
            return json.loads(line[6:])
    raise RuntimeError(f"{module} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")


def _rss_kib(pid):
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * (resource.getpagesize() // 1024)
    except (OSError, IndexError, ValueError):
        return 0


def _reminders_child(due):
    """Run bench.reminders_child, sampling its resident memory every 5 ms from here."""
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.reminders_child", "--due", str(due)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    peak = 0
    while child.poll() is None:
        peak = max(peak, _rss_kib(child.pid))
        time.sleep(0.005)
    stdout, stderr = child.communicate()
    for line in stdout.splitlines():
        if line.startswith("BENCH "):
            result = json.loads(line[6:])
            result["rss_peak_kib"] = max(peak, result["rss_after_kib"])
            return result
    raise RuntimeError(f"bench.reminders_child failed:\n{stdout[-2000:]}\n{stderr[-4000:]}")


def send_reminders(say):
    try:
        from rlsapp.reminders.models import Reminder
    except ImportError:
        return {"missing": "rlsapp.reminders is not there yet"}
    from .seed import BENCH_EMAIL

    total = Reminder.objects.open().filter(patient__owner__email=BENCH_EMAIL).count()
    runs = []
    # A quarter of the reminders due, then all of them: a streaming sender peaks at
    # about the same memory for both.
    for due in (max(1, total // 4), total):
        result = _reminders_child(due)
        say(
            f"  send_reminders, {due:,} due: sent {result['sent']:,} in "
            f"{result['seconds']:.2f} s, left due {result['left_due']:,}, peak RSS "
            f"+{(result['rss_peak_kib'] - result['rss_before_kib']) / 1024:.1f} MiB"
        )
        runs.append(result)
    return {"open_reminders": total, "runs": runs}


def _csv_text(rows, today):
    """`rows` records in rlsapp's own export layout (one row per result, infusion or score)."""
    from rlsapp.domain import units
    from rlsapp.interop.csv_export import COLUMNS

    rng = random.Random(7)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    written = 0
    day = today - datetime.timedelta(days=7 * (rows // 4 + 2))  # 4 or 5 rows a week
    analytes = [("ferritin", "µg/L"), ("hemoglobin", "g/dL"), ("hematocrit", "%")]
    while written < rows:
        day += datetime.timedelta(days=7)
        ferritin = rng.randint(20, 500)
        values = {"ferritin": ferritin, "hemoglobin": round(rng.uniform(11, 15), 1)}
        values["hematocrit"] = round(values["hemoglobin"] * 3, 1)
        for code, unit in analytes:
            if written == rows:
                break
            info = units.ANALYTES[code]
            writer.writerow(
                {
                    "record": "lab",
                    "date": day.isoformat(),
                    "lab": "Imported Lab",
                    "analyte": info.label,
                    "loinc": info.loinc,
                    "value as entered": values[code],
                    "unit as entered": unit,
                    "stored value": values[code],
                    "stored unit": info.display_unit,
                }
            )
            written += 1
        if written < rows:
            severity = rng.randint(0, 10)
            writer.writerow({"record": "symptom", "date": day.isoformat(), "severity": severity})
            written += 1
        if written < rows and day.toordinal() % 26 == 0:
            writer.writerow(
                {"record": "infusion", "date": day.isoformat(), "product": "FCM", "dose (mg)": 1000}
            )
            written += 1
    return buffer.getvalue()


def delete_patient(pk):
    """Remove a bench-made patient with plain SQL (no per-row signals or history)."""
    from django.apps import apps
    from django.db import connection, transaction

    from rlsapp.tracking.models import LabDraw, Patient
    from rlsapp.tracking.versions import bump_person_versions

    draws = f"SELECT id FROM {LabDraw._meta.db_table} WHERE patient_id = %s"
    with transaction.atomic(), connection.cursor() as cursor:
        # No services here: move the person's data version on in the same transaction.
        bump_person_versions([pk])
        for target, where in ((LabDraw, f"IN ({draws})"), (Patient, "= %s")):
            for model in apps.get_models():
                if model is LabDraw and target is Patient:
                    continue
                for field in model._meta.concrete_fields:
                    if field.is_relation and field.related_model is target:
                        cursor.execute(
                            f"DELETE FROM {model._meta.db_table} WHERE {field.column} {where}",
                            [pk],
                        )
        for model in (LabDraw.history.model, LabDraw):
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE patient_id = %s", [pk])
        for model in (Patient.history.model, Patient):
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE id = %s", [pk])


def csv_import(rows, user, say):
    try:
        from bench.csv_import import time_import
    except ImportError:
        return {"missing": "rlsapp.interop (CSV import) is not there yet"}
    from rlsapp.tracking.models import Patient

    # rlsapp's own export layout with results, symptom scores and infusions mixed, timed by
    # the interop app's entry point (parse, then plan and write in one transaction).
    data = _csv_text(rows, datetime.date.today()).encode("utf-8")
    patient = Patient.objects.create(owner=user, name="Bench CSV import")
    try:
        timings = time_import(patient, data)
    finally:
        delete_patient(patient.pk)
    if timings["rows"] != rows:
        raise RuntimeError(f"the bench's CSV parsed to {timings['rows']} records, not {rows}")
    result = {
        "rows": rows,
        "saved": timings["created"],
        "bytes": len(data),
        "parse_s": timings["parse_seconds"],
        "import_s": timings["import_seconds"],
        "seconds": timings["parse_seconds"] + timings["import_seconds"],
    }
    say(
        f"  CSV import: {rows:,} rows ({result['saved']:,} created) in {result['seconds']:.2f} s "
        f"(parse {result['parse_s']:.2f} s, write {result['import_s']:.2f} s)"
    )
    return result


def browser(base, path, cookie, say):
    if not Path("/usr/bin/chromium").exists():
        return {"missing": "no Chromium at /usr/bin/chromium"}
    if not (ROOT / "node_modules" / "chart.js").is_dir():
        return {"missing": "node_modules missing: run npm ci"}
    try:
        import playwright  # noqa: F401
    except ImportError:
        return {"missing": "playwright is not installed (pip install -e '.[dev]')"}
    result = _child("bench.browser", base, path, cookie)
    say(
        f"  history chart: first frame {result['first_frame_ms']:.0f} ms after new Chart(), "
        f"{result['json_to_frame_ms']:.0f} ms after the JSON arrived; page start to chart "
        f"{result['page_to_frame_ms']:.0f} ms"
    )
    return result


def run_all(args, user, read, server, say):
    from django.urls import reverse

    from .run import session_cookie

    say("Other measurements")
    extra = {"reminders": send_reminders(say), "csv_import": csv_import(args.csv_rows, user, say)}
    if args.skip_browser:
        extra["browser"] = {"missing": "skipped (--skip-browser)"}
    else:
        path = reverse("patient_detail", args=[read.pk])
        extra["browser"] = browser(server.base, path, session_cookie(user), say)
    return extra
