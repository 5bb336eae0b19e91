"""`make bench`: seed a clinic-sized dataset, serve it with gunicorn, measure, write results.md.

    python -m bench.run                 # 2,000 patients x 10 years (reuses a matching dataset)
    python -m bench.run --small         # 100 patients, short load phases: a quick check
    python -m bench.run --patients 500 --years 5 --seconds 5 --reseed

Each page is measured twice from a separate load process: one connection at a time
(latency p50/p95/p99, the time one request costs) and then as many connections as
it takes to keep every gunicorn worker busy (throughput). The anchor is a trivial
view behind the same gunicorn, middleware and session auth; each page's throughput
phase alternates with slices of the anchor's, and the page is reported as a fraction
of it (the median over the slices, so that a drifting host moves both alike).

The pages that cache their rendering under the user's data version are measured on
two servers: as deployed (repeat views of unchanged data come from the cache) and on a
second gunicorn with CACHE_URL=dummycache:// (every request renders from the database,
as the first view after any change does).
"""

import argparse
import dataclasses
import datetime
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from . import database
from .serve import COLD_CACHE_URL

BENCH_DIR = Path(__file__).resolve().parent
POST_LAB = "Bench POST"
# The pages served from the per-user page cache, measured again with caching off.
CACHED_PAGES = ("trivial", "worklist", "patient", "chart", "ical")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2005)
    parser.add_argument(
        "--small", action="store_true", help="100 patients and short load phases (about 2 min)"
    )
    parser.add_argument("--reseed", action="store_true", help="flush and seed even if it matches")
    parser.add_argument("--seconds", type=float, default=8, help="throughput phase per page")
    parser.add_argument("--latency-seconds", type=float, default=5, help="latency phase per page")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (as deployed)")
    parser.add_argument("--connections", type=int, default=0, help="default: 2 per worker")
    parser.add_argument("--csv-rows", type=int, default=10_000)
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--seed-only", action="store_true", help="prepare the dataset and stop")
    parser.add_argument("--output", default=str(BENCH_DIR / "results.md"))
    args = parser.parse_args(argv)
    if args.small:
        args.patients = min(args.patients, 100)
        args.seconds = min(args.seconds, 3)
        args.latency_seconds = min(args.latency_seconds, 2)
        args.csv_rows = min(args.csv_rows, 2000)
    args.connections = args.connections or 2 * args.workers
    return args


def say(text):
    print(text, flush=True)


def prepare_dataset(args):
    from django.core.management import call_command
    from django.db import connection

    from . import seed

    size = seed.Size(patients=args.patients, years=args.years, seed=args.seed)
    signature, found = seed.existing_counts()
    if signature == size.signature and not args.reseed:
        say(f"Dataset: reusing {size.signature} in {connection.settings_dict['NAME']}")
        # As after an upgrade (README): the code may have changed since the dataset was
        # seeded, and what the scheduler stores (re-checks, the chart's past estimates)
        # would then be worked out again on every read.
        say("  recompute_reminders")
        call_command("recompute_reminders", verbosity=0, stdout=open(os.devnull, "w"))
        if connection.vendor == "postgresql":
            # Earlier runs' POSTs and reminder resets left dead rows: start as autovacuum would.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        return found, None
    say(f"Dataset: flushing {connection.settings_dict['NAME']} and seeding {size.signature}")
    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    counts = seed.seed(size, out=say)
    seeded = time.perf_counter() - started
    say("  scheduling every patient's re-check reminder (recompute_reminders)")
    call_command("recompute_reminders", verbosity=0, stdout=open(os.devnull, "w"))
    if connection.vendor == "postgresql":
        say("  VACUUM ANALYZE")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    say(f"  seeded in {seeded:.0f} s ({sum(counts.values()) / seeded:,.0f} rows/s)")
    return counts, seeded


def pick_patients():
    """A median ten-year patient to read, and another to post draws to."""
    from django.db.models import Count

    from rlsapp.tracking.models import Patient

    from .seed import bench_user

    user = bench_user()
    patients = list(
        Patient.objects.filter(owner=user).annotate(n=Count("draws")).order_by("n", "pk")
    )
    read = patients[len(patients) // 2]
    post = patients[-1] if patients[-1].pk != read.pk else patients[0]
    return user, read, post


# A clinic's draws go to many people: the load posts to this many in turn, so that each
# gets a handful and no one's history grows far past a real one during the run.
POSTED_PEOPLE = 100


def posting_people(user, read):
    """The people with the most draws (the read one left out), most first."""
    from django.db.models import Count

    from rlsapp.tracking.models import Patient

    people = (
        Patient.objects.filter(owner=user)
        .exclude(pk=read.pk)
        .annotate(n=Count("draws"))
        .order_by("-n", "pk")
    )
    return list(people[:POSTED_PEOPLE])


def targets(user, read, post, today, posted=()):
    from django.urls import NoReverseMatch, reverse

    from rlsapp.domain import units

    from .serve import Target

    found, missing = [], []
    found.append(Target("trivial", "Trivial view (anchor)", reverse("bench_trivial")))
    found.append(Target("worklist", "Worklist (page 1 of 50)", reverse("home")))
    found.append(Target("patient", "Patient page", reverse("patient_detail", args=[read.pk])))
    try:
        found.append(Target("chart", "Chart JSON", reverse("patient_chart_data", args=[read.pk])))
    except NoReverseMatch:
        missing.append(("Chart JSON", "no patient_chart_data URL yet"))
    try:
        from rlsapp.reminders.feeds import new_calendar_address

        _, token = new_calendar_address(user)  # only its hash is kept: a new one each run
        found.append(Target("ical", "iCalendar feed", reverse("calendar_feed", args=[token])))
    except (ImportError, NoReverseMatch):
        missing.append(("iCalendar feed", "no calendar_feed URL yet"))
    try:
        found.append(Target("fhir", "FHIR export", reverse("patient_export_fhir", args=[read.pk])))
    except NoReverseMatch:
        missing.append(("FHIR export", "no patient_export_fhir URL yet"))
    fields = {"drawn_on": today.isoformat(), "lab_name": POST_LAB, "note": ""}
    for code, analyte in units.ANALYTES.items():
        fields[code] = ""
        fields[f"{code}_unit"] = analyte.display_unit
    fields.update(ferritin="84", hemoglobin="13.1", hematocrit="39.5")
    # The load posts the same report again and again: confirm it is meant (the form asks
    # before saving identical results on one day).
    fields["confirm_duplicate"] = today.isoformat()
    people = list(posted) or [post]
    found.append(
        Target(
            "draw_post",
            f"Draw form POST (to {len(people):,} people in turn)",
            reverse("draw_create", args=[people[0].pk]),
            method="POST",
            body=fields,  # completed with the CSRF token once served
            expect=302,
            more_paths=tuple(reverse("draw_create", args=[p.pk]) for p in people[1:]),
        )
    )
    # Every POST to one person, as earlier runs measured it: each adds to the history the
    # next one reads again, so this shows how the cost grows with an (unreal) history.
    found.append(
        Target(
            "draw_post_one",
            "Draw form POST (all to one person, whose history grows with each)",
            reverse("draw_create", args=[post.pk]),
            method="POST",
            body=dict(fields),
            expect=302,
        )
    )
    return found, missing


def count_queries(user, found):
    """SQL queries per request through the test client: {key: (cold, cached)}.

    Cold is the first request after the user's data version moved on (as after any
    change: nothing cached matches), cached the same request again; a POST has one count.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from rlsapp.tracking.versions import bump_account_version

    client = Client()
    client.force_login(user)

    def one(target):
        with CaptureQueriesContext(connection) as ctx:
            if target.method == "POST":
                response = client.post(target.path, target.body)
            else:
                response = client.get(target.path)
        if response.status_code != target.expect:
            raise RuntimeError(
                f"{target.label}: test client got {response.status_code}, expected {target.expect}"
            )
        return len(ctx.captured_queries)

    counts = {}
    for target in found:
        if target.method == "POST":
            counts[target.key] = (one(target), None)
        else:
            # Moving the version on, rather than clearing the cache, works for any backend.
            bump_account_version(user.pk)
            counts[target.key] = (one(target), one(target))
    return counts


def session_cookie(user):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def finish_post_target(target, base, cookie):
    from .serve import csrf_for_form

    token_cookie, token = csrf_for_form(base, target.path, cookie)
    target.body = urlencode({**target.body, "csrfmiddlewaretoken": token})
    target.headers = {
        "Cookie": f"{cookie}; csrftoken={token_cookie}",
        "Content-Type": "application/x-www-form-urlencoded",
    }


def remove_posted_draws(post):
    """Take the load phase's draws out again, so reruns read the same dataset."""
    from django.db import connection, transaction

    from rlsapp.tracking.models import LabDraw, LabResult
    from rlsapp.tracking.versions import bump_person_versions

    draw_ids = f"SELECT id FROM {LabDraw._meta.db_table} WHERE patient_id = %s AND lab_name = %s"
    with transaction.atomic(), connection.cursor() as cursor:
        # Plain SQL bypasses the services: move the person's data version on in the same
        # transaction, as they do, or a cache could keep pages with these draws.
        bump_person_versions([post.pk])
        for model in (LabResult.history.model, LabResult):
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE draw_id IN ({draw_ids})",
                [post.pk, POST_LAB],
            )
        for model in (LabDraw.history.model, LabDraw):
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE patient_id = %s AND lab_name = %s",
                [post.pk, POST_LAB],
            )
    try:
        from rlsapp.reminders.services import sync_patient
    except ImportError:
        return
    sync_patient(post.pk)


def measure_http(args, user, found, server, anchor):
    """{key: (latency, throughput, note, ratio)} for each target, on one server.

    The throughput phase runs in rounds that alternate with the anchor (`anchor`, the
    trivial view on the same server); a page's ratio is the median of the rounds'
    ratios, so a shared host whose speed drifts during the run moves both alike.
    """
    from rlsapp.tracking.models import LabDraw

    from .serve import drive, request

    cookie = session_cookie(user)
    anchor.headers = {"Cookie": cookie}
    results = {}
    for target in found:
        if target.method == "POST":
            finish_post_target(target, server.base, cookie)
        elif not target.path.endswith(".ics"):
            target.headers = {"Cookie": cookie}
        status, _, _ = request(
            server.base, target.method, target.path, target.body or None, target.headers
        )
        if status != target.expect:
            raise RuntimeError(f"{target.label}: got HTTP {status}, expected {target.expect}")
        say(f"  {target.label}: {target.method} {target.path}")
        before = LabDraw.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        drive(server.base, target, args.workers, max(1.0, args.latency_seconds / 4))  # warm up
        latency = drive(server.base, target, 1, args.latency_seconds)
        if target.key == anchor.key:
            throughput = drive(server.base, target, args.connections, args.seconds)
            ratio = 1.0
            ANCHOR_RATES.append(throughput.rps)
        else:
            throughput, ratio = paired_throughput(server.base, target, anchor, args)
        note = ""
        if target.method == "POST":
            created = settled_count(LabDraw.objects.filter(pk__gt=before, lab_name=POST_LAB))
            note = f"{created:,} draws created"
            for person in target_post_people(target):
                remove_posted_draws(person)
        results[target.key] = (latency, throughput, note, ratio)
        say(
            f"    1 connection: p50 {latency.p50_ms:.1f} ms, p95 {latency.p95_ms:.1f} ms, "
            f"p99 {latency.p99_ms:.1f} ms; {args.connections} connections: "
            f"{throughput.rps:,.0f} req/s, {ratio:.2f} x trivial"
            + (f", {throughput.non2xx + throughput.errors} errors" if throughput.errors else "")
        )
    return results


# Every throughput the anchor showed during the run, to report how much the host drifted.
ANCHOR_RATES = []
ROUNDS = 3
SETTLE_SECONDS = 0.3


def paired_throughput(base, target, anchor, args):
    """(throughput, ratio): the target in ROUNDS slices, each right after one of the anchor."""
    from .serve import LoadResult, drive

    slice_seconds = max(2.0, args.seconds / ROUNDS)
    parts, ratios = [], []
    for _ in range(ROUNDS):
        before = drive(base, anchor, args.connections, slice_seconds)
        part = drive(base, target, args.connections, slice_seconds)
        # Let requests still queued in gunicorn finish, or they would eat the next slice.
        time.sleep(SETTLE_SECONDS + part.max_ms / 1000)
        ANCHOR_RATES.append(before.rps)
        parts.append(part)
        ratios.append(part.rps / before.rps if before.rps else 0.0)
    combined = LoadResult(
        requests=sum(p.requests for p in parts),
        seconds=sum(p.seconds for p in parts),
        errors=sum(p.errors for p in parts),
        non2xx=sum(p.non2xx for p in parts),
        # Percentiles do not combine; the latency phase reports them.
        p50_ms=statistics.median(p.p50_ms for p in parts),
        p95_ms=max(p.p95_ms for p in parts),
        p99_ms=max(p.p99_ms for p in parts),
        max_ms=max(p.max_ms for p in parts),
    )
    return combined, statistics.median(ratios)


def settled_count(queryset):
    """The count once requests still queued in gunicorn when the load stopped are done."""
    count = queryset.count()
    while True:
        time.sleep(0.5)
        again = queryset.count()
        if again == count:
            return count
        count = again


def target_post_people(target):
    from rlsapp.tracking.models import Patient

    ids = [int(path.strip("/").split("/")[1]) for path in target.paths]
    return list(Patient.objects.filter(pk__in=ids).order_by("pk"))


def main(argv=None):
    args = parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    # gunicorn and the helper processes must open the same database as this one.
    os.environ["BENCH_DATABASE_URL"] = database.bench_url()
    database.ensure_exists()

    import django

    django.setup()
    from django.core.management import call_command

    from . import measures, report
    from .serve import Server, load_tool

    started = time.perf_counter()
    load_before = os.getloadavg()
    say("Migrating the bench database")
    call_command("migrate", verbosity=0)
    counts, seeded = prepare_dataset(args)
    if args.seed_only:
        return
    user, read, post = pick_patients()
    today = datetime.date.today()
    found, missing = targets(user, read, post, today, posting_people(user, read))
    say(f"Counting SQL queries per request (patient {read.pk}: {read.n} draws)")
    queries = count_queries(user, found)
    gets = [t for t in found if t.method == "GET"]
    cold_gets = [dataclasses.replace(t) for t in gets if t.key in CACHED_PAGES]
    posts = [t for t in found if t.method != "GET"]
    say(
        f"Serving with gunicorn ({args.workers} workers) twice, as deployed and with "
        f"CACHE_URL={COLD_CACHE_URL}; load from {load_tool()}"
    )
    cold_env = {"CACHE_URL": COLD_CACHE_URL}
    with Server(args.workers) as server, Server(args.workers, env=cold_env) as cold:
        backends = {"cached": server.cache_backend(), "cold": cold.cache_backend()}
        if backends["cold"] != "django.core.cache.backends.dummy.DummyCache":
            raise RuntimeError(f"the cold server caches in {backends['cold']}")
        if backends["cached"] == "django.core.cache.backends.dummy.DummyCache":
            raise RuntimeError("CACHE_URL turns caching off: the cached pages would be cold too")
        anchor = next(t for t in gets if t.key == "trivial")
        say(f"As deployed (cache: {backends['cached']})")
        http_results = measure_http(args, user, gets, server, anchor)
        say(f"Caching off (cache: {backends['cold']})")
        cold_results = measure_http(args, user, cold_gets, cold, dataclasses.replace(anchor))
        # Each POST moves the data version on: the next view of every page is cold once.
        http_results.update(measure_http(args, user, posts, server, anchor))
        extra = measures.run_all(args, user, read, server, say)
    total = time.perf_counter() - started
    text = report.render(
        args=args,
        counts=counts,
        seeded=seeded,
        read=read,
        found=found,
        missing=missing,
        queries=queries,
        http_results=http_results,
        cold_results=cold_results,
        backends=backends,
        anchor_rates=ANCHOR_RATES,
        extra=extra,
        total_seconds=total,
        tool=load_tool(),
        load=(load_before, os.getloadavg()),
    )
    Path(args.output).write_text(text)
    say(f"\nWrote {args.output} ({total:.0f} s in all)\n")
    say(text)


if __name__ == "__main__":
    sys.exit(main())
