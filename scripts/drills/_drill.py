"""Shared by the fault drills: the drill database, the settings, and the dated result line that
each drill writes into docs/operations.md (between `<!-- drill:NAME -->` markers)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = str(ROOT / ".venv" / "bin" / "python")
DOC = ROOT / "docs" / "operations.md"
DRILL_DB = os.environ.get("DRILL_DB", "civic311_drill")
PG = os.environ.get("DRILL_PG", "postgres:postgres@127.0.0.1:5432")


def database_url(name: str = DRILL_DB, pg: str = PG) -> str:
    return f"postgis://{pg}/{name}"


def drill_env(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "PGPASSWORD": "postgres",
        "DJANGO_SETTINGS_MODULE": "civic311.settings",
        "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
        "PYTHONPATH": str(ROOT),
    }
    env.update(extra)
    return env


def psql(sql: str, *, db: str = "postgres", host: str = "127.0.0.1", port: str = "5432") -> str:
    out = subprocess.run(
        ["psql", "-h", host, "-p", port, "-U", "postgres", "-d", db, "-tAc", sql],
        env={**os.environ, "PGPASSWORD": "postgres"},
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def ensure_database(*, name: str = DRILL_DB, host: str = "127.0.0.1", port: str = "5432") -> None:
    """Create the drill's own database (with PostGIS and pg_trgm) and migrate it; reused after."""
    if not psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'", host=host, port=port):
        psql(f'CREATE DATABASE "{name}"', host=host, port=port)
        psql("CREATE EXTENSION IF NOT EXISTS postgis", db=name, host=host, port=port)
        psql("CREATE EXTENSION IF NOT EXISTS pg_trgm", db=name, host=host, port=port)
    env = drill_env(DATABASE_URL=database_url(name, f"postgres:postgres@{host}:{port}"))
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)


def record(name: str, passed: bool, summary: str) -> None:
    """Print the PASS/FAIL line and keep it, dated, in docs/operations.md."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    line = f"{'PASS' if passed else 'FAIL'} {name}: {summary}"
    print(line, flush=True)
    if not DOC.exists():
        return
    text = DOC.read_text(encoding="utf-8")
    pattern = re.compile(rf"(<!-- drill:{re.escape(name)} -->).*?(<!-- /drill -->)", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda m: f"{m.group(1)}{stamp}: **{line}**{m.group(2)}", text)
        DOC.write_text(text, encoding="utf-8")


def main_guard(func) -> None:
    try:
        func()
    except Exception as exc:  # the drill itself broke: still one FAIL line
        name = Path(sys.argv[0]).stem
        record(name, False, f"the drill could not run: {type(exc).__name__}: {exc}")
        raise SystemExit(1) from exc


def pytest_drill(name: str, test_file: str, what: str) -> None:
    """A drill that is a pytest module: run it on the drill database's test copy, and record."""
    import time

    started = time.monotonic()
    out = subprocess.run(
        [PY, "-m", "pytest", test_file, "-q", "--reuse-db", "-p", "no:randomly"],
        cwd=ROOT,
        env=drill_env(DJANGO_SETTINGS_MODULE="civic311.test_settings"),
        capture_output=True,
        text=True,
    )
    tail = [line for line in out.stdout.splitlines() if " passed" in line or " failed" in line]
    summary = tail[-1].strip("= ") if tail else out.stdout[-300:]
    record(name, out.returncode == 0, f"{what}: {summary} ({time.monotonic() - started:.0f} s)")
    if out.returncode != 0:
        print(out.stdout[-4000:], out.stderr[-2000:], sep="\n")
        raise SystemExit(1)
