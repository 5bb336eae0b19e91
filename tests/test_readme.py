"""README.md against the code: the settings an operator may set, and the paths it names.

A variable read in settings.py but missing from the README's Configuration table is one
the operator cannot find; a path the README names that is not there sends a reviewer
looking for nothing.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
SETTINGS = (ROOT / "rlsapp" / "settings.py").read_text()

# env.str("NAME", ...), env.bool(...), env.db("NAME"), _from_file("NAME", ...), and so on.
READ_FROM_ENVIRONMENT = re.compile(r'(?:env|Env\(\)|_from_file)\.?\w*\(\s*(?:f?")(\w+)"')


def test_every_environment_variable_settings_reads_is_in_the_configuration_table():
    names = set(READ_FROM_ENVIRONMENT.findall(SETTINGS))
    assert {"SECRET_KEY", "DATABASE_URL", "SECURE_HSTS_PRELOAD"} <= names  # the pattern reads
    table = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(\w+)`", table, flags=re.MULTILINE))
    assert names - documented == set(), "add these to README's Configuration table"


def test_every_repository_path_the_readme_names_exists():
    named = set(re.findall(r"`((?:rlsapp|docs|tests|bench|templates|static)/[\w./-]*)`", README))
    assert "rlsapp/domain/regions.py" in named  # the pattern reads
    layout = README.split("## Layout", 1)[1]
    top = r"^(rlsapp/[\w./]+|docs/|bench/|templates/|static/|tests/)"
    named.update(re.findall(top, layout, re.MULTILINE))
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert missing == []


def test_every_app_package_is_in_the_layout():
    layout = README.split("## Layout", 1)[1]
    apps = sorted(
        p.name for p in (ROOT / "rlsapp").iterdir() if p.is_dir() and (p / "__init__.py").exists()
    )
    assert [a for a in apps if f"rlsapp/{a}/" not in layout] == []


def test_every_module_the_layout_lists_under_a_package_exists():
    """The indented names below `rlsapp/domain/` and the like ("  units.py", "  services/",
    "  caching.py, versions.py")."""
    block = README.split("## Layout", 1)[1].split("```", 2)[1]
    package, missing, listed = None, [], 0
    for line in block.splitlines():
        if m := re.match(r"(rlsapp/\w+/)", line):
            package = m[1]
        elif package and (m := re.match(r"  (\w[\w./, ]*?)\s{2,}", line)):
            for name in re.split(r",\s*", m[1]):
                listed += 1
                if not (ROOT / package / name).exists():
                    missing.append(package + name)
        elif not line.startswith(" "):
            package = None
    assert listed > 30  # the pattern reads
    assert missing == []
