"""A load with several paths takes each in turn, with whichever load client the machine has."""

import collections
import http.server
import shutil
import threading

import pytest

from bench import serve
from bench.serve import Target

PATHS = ("/draws/1/", "/draws/2/", "/draws/3/")


class _Recorder(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen = collections.Counter()
    bodies = set()

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        type(self).bodies.add(self.rfile.read(length))
        type(self).seen[self.path] += 1
        self.send_response(302)
        self.send_header("Location", "/done/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Recorder.seen = collections.Counter()
    _Recorder.bodies = set()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    "tool",
    [
        "python",
        pytest.param(
            "wrk",
            marks=pytest.mark.skipif(not shutil.which("wrk"), reason="wrk is not installed"),
        ),
    ],
)
def test_every_path_is_posted_to_with_the_same_body(server, monkeypatch, tool):
    monkeypatch.setattr(serve, "load_tool", lambda: tool)
    target = Target(
        "post",
        "POST",
        PATHS[0],
        method="POST",
        body="a=1&b=2",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        expect=302,
        more_paths=PATHS[1:],
    )
    result = serve.drive(server, target, 2, 1)
    assert result.requests > 0
    assert set(_Recorder.seen) == set(PATHS)
    # In turn: no path gets much more than its share.
    assert max(_Recorder.seen.values()) - min(_Recorder.seen.values()) <= 4
    assert _Recorder.bodies == {b"a=1&b=2"}


def test_a_target_without_more_paths_has_its_one_path():
    assert Target("page", "Page", "/one/").paths == ("/one/",)
