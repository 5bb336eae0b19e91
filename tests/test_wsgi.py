import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_server_entry_point_sets_the_garbage_collector_for_a_server():
    # In a process of its own: importing it freezes whatever the process holds.
    code = (
        "import gc, rlsapp.wsgi; "
        "print(gc.get_threshold()[0], gc.get_freeze_count() > 0, "
        "'rlsapp.web.views' in __import__('sys').modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["10000", "True", "True"]
