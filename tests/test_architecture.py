"""The shape of the code (shared/architecture.md), checked on every run.

- rlsapp/domain is pure: no Django, nothing from the apps above it.
- Dependencies point one way: domain <- tracking (records) <- reminders, charts, interop
  <- accounts, sharing, links <- web (LAYER below). An app imports only from apps below
  it (and from the small project-wide modules beside settings.py, which import no app).
- No module over 450 lines: a newcomer should be able to read any one of them whole.
"""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "rlsapp"

LAYER = {
    "domain": 0,
    "tracking": 1,
    "reminders": 2,
    "charts": 2,
    "interop": 2,
    "accounts": 3,
    "sharing": 3,
    "links": 3,
    "web": 4,  # pages that compose every app's parts (the worklist, a person's page)
}
WIRING = {"settings", "urls", "wsgi"}  # may name every app: that is their job
MAX_LINES = 450


def modules():
    for path in sorted(APP.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def imported_rlsapp_modules(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "rlsapp" and len(parts) > 1:
                yield parts[1]


def app_of(path):
    relative = path.relative_to(APP).parts
    return relative[0] if len(relative) > 1 else Path(relative[0]).stem


def test_every_app_has_a_layer():
    apps = {p.name for p in APP.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert apps <= LAYER.keys(), f"give {apps - LAYER.keys()} a layer in this test"


@pytest.mark.parametrize("path", list(modules()), ids=lambda p: str(p.relative_to(APP)))
def test_imports_point_down(path):
    here = app_of(path)
    if here in WIRING:
        return
    for there in imported_rlsapp_modules(path):
        if there == here:
            continue
        if here not in LAYER:  # a project-wide module beside settings.py
            assert there == "domain", f"{path.name} imports rlsapp.{there}: it must import no app"
            continue
        if there not in LAYER:
            assert there not in WIRING, f"{path} imports rlsapp.{there}"
            continue
        assert LAYER[there] < LAYER[here], (
            f"rlsapp/{here} (layer {LAYER[here]}) imports rlsapp.{there} "
            f"(layer {LAYER[there]}): dependencies must point down"
        )


@pytest.mark.parametrize("path", list((APP / "domain").rglob("*.py")), ids=lambda p: p.name)
def test_the_domain_is_pure(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        else:
            continue
        for name in names:
            assert not name.startswith("django"), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", list(modules()), ids=lambda p: str(p.relative_to(APP)))
def test_no_module_is_over_the_line_limit(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(APP)} has {lines} lines (at most {MAX_LINES})"
