"""Which database the bench uses: its own, never the app's, because seeding flushes it.

BENCH_DATABASE_URL wins. Otherwise, with DATABASE_URL set (PostgreSQL), the bench
uses a sibling database on the same server named <name>_bench, created on first use.
Without either, an SQLite file data/bench.sqlite3.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ

BASE_DIR = Path(__file__).resolve().parent.parent


def bench_url():
    explicit = os.environ.get("BENCH_DATABASE_URL", "")
    if explicit:
        return explicit
    app_url = os.environ.get("DATABASE_URL", "")
    if not app_url:
        data_dir = Path(os.environ.get("RLSAPP_DATA_DIR", BASE_DIR / "data"))
        return f"sqlite:///{data_dir / 'bench.sqlite3'}"
    parts = urlsplit(app_url)
    name = parts.path.lstrip("/") or "rlsapp"
    return urlunsplit(parts._replace(path=f"/{name}_bench"))


def bench_database():
    config = environ.Env.db_url_config(bench_url())
    config.setdefault("CONN_MAX_AGE", 60)
    config.setdefault("CONN_HEALTH_CHECKS", True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    return config


def ensure_exists():
    """Create the PostgreSQL database if missing (the role needs CREATEDB, as in CI)."""
    config = bench_database()
    if "postgresql" not in config["ENGINE"]:
        return
    import psycopg
    from psycopg import sql

    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not found:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
