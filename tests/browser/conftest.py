"""Real Chromium through Playwright, against pytest-django's live server.

Debian's Chromium (/usr/bin/chromium, or $CHROMIUM) is used; Playwright never
downloads a browser. CDN files are answered from node_modules (the same pinned
versions, installed by `npm ci`), so the tests need no network.

Without Chromium these tests skip, except when REQUIRE_BROWSER_TESTS=1 (CI):
then they fail, so a CI run can never pass without them.
"""

import os
import re
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from bench.browser import CHROMIUM_ARGS

# The live server and the ORM in one test: Playwright's sync API runs an event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
SCREENSHOTS = ROOT / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Matched against ASSET_BASE_URL, so a clinic's self-hosted base is served the same way.
CDN_FILE = re.compile(r"^/(?P<package>[^@]+)@[^/]+/(?P<path>.+)$")


@pytest.fixture(scope="session", autouse=True)
def _chromium():
    """Session-scoped and autouse, so it runs before pytest-playwright launches anything."""
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
        pytest.fail(f"REQUIRE_BROWSER_TESTS=1 but Chromium is not at {CHROMIUM}")
    pytest.skip(f"Chromium not found at {CHROMIUM}")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
    }


def serve_cdn_from_node_modules(route):
    match = CDN_FILE.match(route.request.url.removeprefix(settings.ASSET_BASE_URL))
    local = NODE_MODULES / match["package"] / match["path"] if match else None
    if local is None or not local.is_file():
        route.abort()  # an unpinned CDN file: the page's own error shows in the console
        return
    kind = "text/css" if local.suffix == ".css" else "application/javascript"
    route.fulfill(path=str(local), content_type=kind)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The charts honour reduced motion: no animation, so pixels and pictures are final.
    return {**browser_context_args, "reduced_motion": "reduce"}


@pytest.fixture(autouse=True)
def _live_server_idle_before_the_database_is_emptied():
    """A test may end while the live server still answers its last click (the page a
    form redirects to, reminders rescheduled after a save). pytest-django then empties
    the database with one TRUNCATE, which failed against such a request on PostgreSQL
    and left the next test a full database. Set up after pytest-django's own autouse
    fixture, so torn down before its flush; and before `context`, so torn down after
    the browser's connections are closed, which ends the server's request threads."""
    yield
    deadline = time.monotonic() + 60
    for thread in threading.enumerate():
        # ThreadingMixIn's threads are named after their target (Python >= 3.10).
        if thread.name.endswith("(process_request_thread)"):
            thread.join(max(0, deadline - time.monotonic()))


@pytest.fixture
def context(context):
    context.route(settings.ASSET_BASE_URL + "/**", serve_cdn_from_node_modules)
    yield context
    context.close()  # before the fixture above waits for the server's requests to end


@pytest.fixture
def console_errors(page):
    """Every console error and uncaught exception (CSP violations included)."""
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(target, name, **kwargs):
        target.screenshot(path=str(SCREENSHOTS / f"{name}.png"), **kwargs)

    return take
