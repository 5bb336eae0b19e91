"""A small closed-loop HTTP load client, used when wrk is not installed.

Run as its own process (`python -m bench.load ...`) so it never shares an
interpreter with the server or the bench. Prints one JSON line in the same shape
as bench/wrk_report.lua.
"""

import argparse
import http.client
import json
import sys
import threading
import time
from urllib.parse import urlsplit


def worker(url, also_paths, method, body, headers, stop_at, latencies, errors):
    parts = urlsplit(url)
    paths = [parts.path + (f"?{parts.query}" if parts.query else ""), *also_paths]
    turn = 0
    conn = None
    while time.perf_counter() < stop_at:
        try:
            if conn is None:
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            path = paths[turn % len(paths)]
            turn += 1
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            latencies.append(time.perf_counter() - started)
            if response.status >= 400:
                errors["status"] += 1
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except OSError:
            errors["socket"] += 1
            conn = None


def percentile(ordered, fraction):
    if not ordered:
        return 0
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--duration", type=float, default=5)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--body", default="")
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument(
        "--also-path", action="append", default=[], help="further paths, taken in turn"
    )
    args = parser.parse_args(argv)
    headers = dict(h.split(": ", 1) for h in args.header)
    body = args.body.encode() if args.body else None
    latencies, errors = [], {"status": 0, "socket": 0}
    started = time.perf_counter()
    stop_at = started + args.duration
    threads = [
        threading.Thread(
            target=worker,
            args=(
                args.url,
                args.also_path,
                args.method,
                body,
                headers,
                stop_at,
                latencies,
                errors,
            ),
        )
        for _ in range(args.connections)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    us = 1_000_000
    report = {
        "requests": len(ordered),
        "duration_us": int(elapsed * us),
        "errors": errors["socket"],
        "non2xx": errors["status"],
        "p50": int(percentile(ordered, 0.50) * us),
        "p95": int(percentile(ordered, 0.95) * us),
        "p99": int(percentile(ordered, 0.99) * us),
        "max": int((ordered[-1] if ordered else 0) * us),
    }
    sys.stdout.write("BENCH " + json.dumps(report) + "\n")


if __name__ == "__main__":
    main()
