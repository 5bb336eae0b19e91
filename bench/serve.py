"""Serve the app with gunicorn on loopback and drive load at it from another process."""

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
# Django's DummyCache (django-environ's name for it): every lookup misses, nothing is kept.
COLD_CACHE_URL = "dummycache://"


def free_port():
    """A free loopback port, never 8000 (the developers' runserver)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port != 8000:
            return port


class Server:
    """gunicorn serving rlsapp.wsgi with bench.settings, as the Dockerfile runs it."""

    def __init__(self, workers, env=None):
        self.workers = workers
        self.env = env or {}
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = None

    def __enter__(self):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", **self.env}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "rlsapp.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited during start-up")
            try:
                status, _, _ = request(self.base, "GET", "/accounts/login/")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 30 s")

    def cache_backend(self):
        """The cache class the workers use (bench/urls.py), to show the setting reached them."""
        status, _, body = request(self.base, "GET", "/bench/cache/")
        if status != 200:
            raise RuntimeError(f"/bench/cache/ answered {status}")
        return body.decode()

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def request(base, method, path, body=None, headers=None):
    """One request without following redirects: (status, headers, body)."""
    port = int(base.rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def csrf_for_form(base, path, cookie):
    """GET a form page the way a browser does: the csrftoken cookie and the form's token."""
    status, headers, body = request(base, "GET", path, headers={"Cookie": cookie})
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}, expected the form (200)")
    cookie_value = None
    for name, value in headers:
        if name.lower() == "set-cookie" and value.startswith("csrftoken="):
            cookie_value = value.split(";", 1)[0].split("=", 1)[1]
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if not (cookie_value and match):
        raise RuntimeError(f"GET {path}: no CSRF cookie or token in the form")
    return cookie_value, match.group(1).decode()


@dataclass
class Target:
    key: str
    label: str
    path: str
    method: str = "GET"
    body: str = ""
    headers: dict = field(default_factory=dict)
    expect: int = 200
    # Further paths the load takes in turn with `path` (each load thread cycles through all).
    more_paths: tuple = ()

    @property
    def paths(self):
        return (self.path, *self.more_paths)


@dataclass
class LoadResult:
    requests: int
    seconds: float
    errors: int
    non2xx: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @property
    def rps(self):
        return self.requests / self.seconds if self.seconds else 0.0


def _parse(stdout):
    for line in stdout.splitlines():
        if line.startswith("BENCH "):
            raw = json.loads(line[6:])
            ms = 1000.0
            return LoadResult(
                requests=raw["requests"],
                seconds=raw["duration_us"] / 1e6,
                errors=raw["errors"],
                non2xx=raw["non2xx"],
                p50_ms=raw["p50"] / ms,
                p95_ms=raw["p95"] / ms,
                p99_ms=raw["p99"] / ms,
                max_ms=raw["max"] / ms,
            )
    raise RuntimeError(f"the load client printed no result:\n{stdout}")


def _lua_string(text):
    encoded = json.dumps(text)
    if "\\u" in encoded:
        raise ValueError("wrk scripts take ASCII only")
    return encoded


def load_tool():
    return "wrk" if shutil.which("wrk") else "python"


def drive(base, target: Target, connections, seconds):
    """Closed-loop load from a separate process for a bounded time."""
    url = base + target.path
    if load_tool() == "wrk":
        lines = []
        if target.method != "GET":
            lines.append(f"wrk_method = {_lua_string(target.method)}")
        if target.body:
            lines.append(f"wrk_body = {_lua_string(target.body)}")
        pairs = ", ".join(
            f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in target.headers.items()
        )
        lines.append(f"wrk_headers = {{{pairs}}}")
        if target.more_paths:
            paths = ", ".join(_lua_string(path) for path in target.paths)
            lines.append(f"wrk_paths = {{{paths}}}")
        script = "\n".join(lines) + "\n" + (BENCH_DIR / "wrk_report.lua").read_text()
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
            f.write(script)
        try:
            threads = min(2, connections)
            command = [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "30s",
                "-s",
                f.name,
                url,
            ]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
        finally:
            os.unlink(f.name)
    else:
        command = [
            sys.executable,
            "-m",
            "bench.load",
            url,
            "--connections",
            str(connections),
            "--duration",
            str(seconds),
            "--method",
            target.method,
        ]
        if target.body:
            command += ["--body", target.body]
        for k, v in target.headers.items():
            command += ["--header", f"{k}: {v}"]
        for path in target.more_paths:
            command += ["--also-path", path]
        done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    return _parse(done.stdout)
