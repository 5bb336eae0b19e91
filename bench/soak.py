#!/usr/bin/env python
"""Soak test: gunicorn on PostgreSQL, several clients on loopback entering lab draws and
symptom scores and reading pages at once for a bounded time. Afterwards every acknowledged
write (answered with the redirect that follows a save) must be in the database, no response
may be a 5xx, and the database must hold exactly the acknowledged rows.

Short (CI):  python bench/soak.py --database-url postgres://app:app@127.0.0.1:5432/app
Longer:      python bench/soak.py --database-url ... --duration 600 --clients 12 --workers 4

--database-url names a server and a role with CREATEDB; the script creates a fresh database
next to the named one, runs production settings (DEBUG off) against it, and drops it at the
end (--keep-db to look at it). Only loopback is ever contacted.
"""

import argparse
import datetime
import http.client
import json
import multiprocessing
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "soak-test-passphrase-" + "x" * 8
READS = ["patient", "worklist", "draw_list", "history", "symptom_list"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- the clients (each in its own process) -------------------------------------------


class Browser:
    """A minimal HTTP client that keeps cookies, behind an HTTPS-terminating proxy."""

    def __init__(self, port):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies = {}
        self.conn = None

    def request(self, method, path, form=None):
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",  # as the TLS proxy in front of gunicorn would
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A keep-alive connection the server closed before this request was sent:
                # only safe to retry for reads; a write might have been received.
                self.conn.close()
                self.conn = None
                if method != "GET" or attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location", ""), content


def client(number, port, patient_id, email, deadline, seed, queue):
    rng = random.Random(seed)
    browser = Browser(port)
    stats = {"status": {}, "latency": {}, "acknowledged": [], "in_doubt": [], "errors": []}

    def timed(op, method, path, form=None):
        start = time.perf_counter()
        try:
            status, location, content = browser.request(method, path, form)
        except Exception as error:  # counted and reported, never hidden
            stats["errors"].append(f"{op}: {type(error).__name__}: {error}")
            return None, "", b""
        stats["latency"].setdefault(op, []).append(time.perf_counter() - start)
        stats["status"][str(status)] = stats["status"].get(str(status), 0) + 1
        return status, location, content

    timed("login_page", "GET", "/accounts/login/")
    status, location, _ = timed(
        "login", "POST", "/accounts/login/", {"username": email, "password": PASSWORD}
    )
    if status != 302:
        stats["errors"].append(f"login answered {status}")
        queue.put((number, stats))
        return
    sequence = 0
    today = datetime.date.today()
    while time.time() < deadline:
        roll = rng.random()
        if roll < 0.35:
            sequence += 1
            marker = f"soak-{number}-{sequence}"
            ferritin = rng.randint(5, 900)
            form = {
                "drawn_on": str(today - datetime.timedelta(days=rng.randint(0, 3000))),
                "lab_name": "Soak Lab",
                "note": marker,
                "ferritin": str(ferritin),
                "ferritin_unit": "µg/L",
            }
            status, location, _ = timed(
                "add_draw", "POST", f"/patients/{patient_id}/draws/new/", form
            )
            if status == 302 and location.rstrip("/").endswith(f"/patients/{patient_id}"):
                stats["acknowledged"].append(["draw", marker, ferritin])
            elif status is None:
                stats["in_doubt"].append(["draw", marker, ferritin])
        elif roll < 0.45:
            sequence += 1
            marker = f"soak-{number}-{sequence}"
            severity = rng.randint(0, 10)
            form = {"recorded_on": str(today), "severity": str(severity), "note": marker}
            status, location, _ = timed(
                "add_symptom", "POST", f"/patients/{patient_id}/symptoms/new/", form
            )
            if status == 302:
                stats["acknowledged"].append(["symptom", marker, severity])
            elif status is None:
                stats["in_doubt"].append(["symptom", marker, severity])
        else:
            page = rng.choice(READS)
            path = {
                "patient": f"/patients/{patient_id}/",
                "worklist": "/",
                "draw_list": f"/patients/{patient_id}/draws/",
                "history": f"/patients/{patient_id}/history/",
                "symptom_list": f"/patients/{patient_id}/symptoms/",
            }[page]
            timed(page, "GET", path)
    queue.put((number, stats))


# ---- the harness ------------------------------------------------------------------------


def manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def create_database(admin_url, name):
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(admin_url, name):
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def with_database(url, name):
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def seed_users(env, count):
    script = (
        "import json\n"
        "from rlsapp.accounts.models import User\n"
        "from rlsapp.tracking.models import Patient\n"
        "out = []\n"
        f"for n in range({count}):\n"
        f"    u = User.objects.create_user(f'soak{{n}}@example.invalid', {PASSWORD!r})\n"
        "    out.append([u.email, Patient.objects.create(owner=u, name=f'Soak {n}').pk])\n"
        "print(json.dumps(out))\n"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def wait_until_up(port, process, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited: " + process.stderr.read().decode()[-2000:])
        try:
            status, _, _ = Browser(port).request("GET", "/accounts/login/")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in time")


def database_rows(url):
    import psycopg

    with psycopg.connect(url) as conn:
        draws = conn.execute(
            "SELECT d.note, r.value FROM tracking_labdraw d "
            "JOIN tracking_labresult r ON r.draw_id = d.id AND r.analyte = 'ferritin' "
            "WHERE d.note LIKE 'soak-%%'"
        ).fetchall()
        scores = conn.execute(
            "SELECT note, severity FROM tracking_symptomscore WHERE note LIKE 'soak-%%'"
        ).fetchall()
        orphan_draws = conn.execute(
            "SELECT count(*) FROM tracking_labdraw d WHERE NOT EXISTS "
            "(SELECT 1 FROM tracking_labresult r WHERE r.draw_id = d.id)"
        ).fetchone()[0]
    rows = {("draw", note, round(value)) for note, value in draws}
    rows |= {("symptom", note, severity) for note, severity in scores}
    return rows, len(draws) + len(scores), orphan_draws


def percentile(values, q):
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("SOAK_DATABASE_URL"))
    parser.add_argument("--duration", type=float, default=15, help="seconds of load")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--json", help="also write the numbers to this file")
    args = parser.parse_args(argv)
    if not args.database_url or not args.database_url.startswith("postgres"):
        parser.error("--database-url postgres://USER:PASS@127.0.0.1:5432/DB is required")
    host = urllib.parse.urlsplit(args.database_url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the soak test only runs against a database on loopback")

    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    name = f"rlsapp_soak_{os.getpid()}"
    soak_url = with_database(args.database_url, name)
    port = free_port()
    tmp = Path(tempfile.mkdtemp(prefix="rlsapp-soak-"))
    env = {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "VIRTUAL_ENV")},
        "DJANGO_SETTINGS_MODULE": "rlsapp.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": soak_url,
        "STATIC_ROOT": str(tmp / "static"),
        "RLSAPP_DATA_DIR": str(tmp),
        "EMAIL_URL": "consolemail://",
        "LOG_LEVEL": "WARNING",
    }
    print(
        f"soak: seed {seed}, {args.clients} clients, {args.workers} gunicorn workers, "
        f"{args.duration:g} s, database {name}, port {port}"
    )
    create_database(args.database_url, name)
    server = None
    try:
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        users = seed_users(env, args.clients)
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "rlsapp.wsgi:application",
             "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
             "--timeout", "60", "--graceful-timeout", "10"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        wait_until_up(port, server)

        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        started = time.time()
        deadline = started + args.duration
        processes = [
            context.Process(
                target=client, args=(n, port, patient_id, email, deadline, seed + n, queue)
            )
            for n, (email, patient_id) in enumerate(users)
        ]
        for process in processes:
            process.start()
        results = [queue.get(timeout=args.duration + 180) for _ in processes]
        for process in processes:
            process.join(timeout=30)
        elapsed = time.time() - started

        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        server_log = server.stderr.read().decode(errors="replace")
        server = None

        stored, stored_count, orphan_draws = database_rows(soak_url)
    finally:
        if server is not None:
            server.kill()
        if not args.keep_db:
            drop_database(args.database_url, name)

    status, latency, acknowledged, in_doubt, errors = {}, {}, [], [], []
    for _, stats in results:
        for code, n in stats["status"].items():
            status[code] = status.get(code, 0) + n
        for op, values in stats["latency"].items():
            latency.setdefault(op, []).extend(values)
        acknowledged += [tuple(w) for w in stats["acknowledged"]]
        in_doubt += [tuple(w) for w in stats["in_doubt"]]
        errors += stats["errors"]
    requests = sum(status.values())
    server_errors = sum(n for code, n in status.items() if code.startswith("5"))
    missing = set(acknowledged) - stored
    unexpected = stored - set(acknowledged) - set(in_doubt)
    crashes = [line for line in server_log.splitlines() if "Traceback" in line]
    summary = {
        "seed": seed,
        "clients": args.clients,
        "workers": args.workers,
        "seconds": round(elapsed, 1),
        "requests": requests,
        "requests_per_second": round(requests / elapsed, 1),
        "status": dict(sorted(status.items())),
        "server_errors_5xx": server_errors,
        "transport_errors": len(errors),
        "acknowledged_writes": len(acknowledged),
        "acknowledged_draws": sum(1 for w in acknowledged if w[0] == "draw"),
        "acknowledged_symptom_scores": sum(1 for w in acknowledged if w[0] == "symptom"),
        "writes_in_doubt": len(in_doubt),
        "rows_in_database": stored_count,
        "acknowledged_but_missing": len(missing),
        "in_database_but_never_sent": len(unexpected),
        "draws_without_results": orphan_draws,
        "server_tracebacks": len(crashes),
        "latency_ms": {
            op: {
                "n": len(values),
                "p50": round(1000 * statistics.median(values), 1),
                "p95": round(1000 * percentile(values, 95), 1),
                "max": round(1000 * max(values), 1),
            }
            for op, values in sorted(latency.items())
        },
    }
    print(json.dumps(summary, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    problems = []
    if server_errors:
        problems.append(f"{server_errors} responses were 5xx")
    if errors:
        problems.append(f"{len(errors)} requests failed in transport: {errors[:3]}")
    if missing:
        problems.append(f"{len(missing)} acknowledged writes are missing: {sorted(missing)[:3]}")
    if unexpected:
        problems.append(f"{len(unexpected)} rows nobody acknowledged or sent")
    if stored_count != len(set(acknowledged) | (stored & set(in_doubt))):
        problems.append("the database row count does not match the acknowledged writes")
    if orphan_draws:
        problems.append(f"{orphan_draws} draws without results (partial writes)")
    if not acknowledged:
        problems.append("no write was acknowledged: the soak proved nothing")
    if crashes:
        problems.append(f"gunicorn logged {len(crashes)} tracebacks")
    if problems:
        print("SOAK FAILED: " + "; ".join(problems))
        return 1
    print(
        f"SOAK PASSED: {requests} requests, {len(acknowledged)} acknowledged writes all stored, "
        "no 5xx"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
