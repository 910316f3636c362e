"""Drill (c): PostgreSQL stopped for 10 s under load.

A PRIVATE PostgreSQL cluster (port 5499, under /tmp; never the shared server on 5432) serves a
small city to gunicorn (2 workers, CONN_MAX_AGE=60 so persistent connections do break). Four
client threads loop over HTTP on loopback: the public list, the report form, and a report
submission. After a warm-up the drill stops PostgreSQL (pg_ctl -m fast) for 10 s, starts it
again, and keeps the load on.

PASS when: before and after the outage every response is 200/302; during it, only 503s (the
outage page) and no 500; the server log has no traceback; every report a client saw confirmed
(302) exists with its "created" event, and no report exists that a client was told failed.

Run: .venv/bin/python scripts/drills/postgres_down.py   (about a minute; loopback only)
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from http.cookiejar import CookieJar
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import _drill

NAME = "postgres_down"
PORT_PG = "5499"
PORT_WEB = 8499
WORK = Path("/tmp/civic311-drill") / NAME
PGDATA = WORK / "pg" / "data"
PGSOCK = WORK / "pg" / "sock"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
BASE = f"http://127.0.0.1:{PORT_WEB}"
MARK = f"drill-postgres-down-{int(time.time())}"  # this run's reports
WARMUP, OUTAGE, AFTER = 6.0, 10.0, 15.0


def _as_postgres(command: str) -> None:
    subprocess.run(["su", "postgres", "-c", command], check=True, capture_output=True)


def pg_start() -> None:
    _as_postgres(
        f"{PG_BIN}/pg_ctl -D {PGDATA} -o '-p {PORT_PG} -k {PGSOCK} "
        f"-c listen_addresses=127.0.0.1' -l {WORK}/pg/pg.log -w start"
    )


def pg_stop() -> None:
    _as_postgres(f"{PG_BIN}/pg_ctl -D {PGDATA} -m fast -w stop")


def private_cluster() -> None:
    """initdb refuses root: the cluster belongs to postgres, under this drill's /tmp folder."""
    if not (PGDATA / "PG_VERSION").exists():
        shutil.rmtree(WORK / "pg", ignore_errors=True)
        PGSOCK.mkdir(parents=True)
        shutil.chown(WORK / "pg", "postgres", "postgres")
        shutil.chown(PGSOCK, "postgres", "postgres")
        _as_postgres(f"{PG_BIN}/initdb -D {PGDATA} -A trust -U postgres -E UTF8 >/dev/null")
    if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", PORT_PG]).returncode != 0:
        pg_start()


def seed(env: dict) -> None:
    """One department, one category without questions, a square service area."""
    code = (
        "from tests.factories import AreaFactory, AreaSetFactory, CategoryFactory, square\n"
        "from requests_app.models import Area\n"
        "CategoryFactory(code='drill-graffiti', name='Graffiti')\n"
        "if not Area.objects.filter(area_set__kind='boundary').exists():\n"
        "    AreaFactory(area_set=AreaSetFactory(kind='boundary'), name='City',"
        " geom=square(-122.44, 37.76, 0.05))\n"
    )
    subprocess.run(
        [_drill.PY, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=_drill.ROOT,
        env=env,
        check=True,
    )


class Client:
    """One resident's browser: cookies, and a form token taken from the report page."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect()
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(BASE + path, data=body, timeout=10) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")
        except OSError as exc:
            return -1, str(exc)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main() -> None:
    started = time.monotonic()
    shutil.rmtree(WORK / "web", ignore_errors=True)
    (WORK / "web").mkdir(parents=True)
    private_cluster()
    _drill.ensure_database(port=PORT_PG)
    env = _drill.drill_env(
        DATABASE_URL=_drill.database_url(pg=f"postgres:postgres@127.0.0.1:{PORT_PG}"),
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        DB_CONN_MAX_AGE="60",
        MEDIA_ROOT=str(WORK / "web" / "media"),
        CACHE_DIR=str(WORK / "web" / "cache"),
        EMAIL_FILE_PATH=str(WORK / "web" / "mail"),
        Q_SYNC="0",
    )
    seed(env)
    category = subprocess.run(
        [
            _drill.PY,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from requests_app.models import Category;"
            "print(Category.objects.get(code='drill-graffiti').pk)",
        ],
        cwd=_drill.ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    log = (WORK / "web" / "gunicorn.log").open("w")
    web = subprocess.Popen(
        [
            str(_drill.ROOT / ".venv" / "bin" / "gunicorn"),
            "civic311.wsgi:application",
            "-b",
            f"127.0.0.1:{PORT_WEB}",
            "-w",
            "2",
            "--timeout",
            "30",
        ],
        cwd=_drill.ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    results: list[tuple[float, str, int, str]] = []  # (time, kind, status, key)
    stop = threading.Event()
    t0 = time.monotonic()

    def resident() -> None:
        client = Client()
        token = ""
        while not stop.is_set():
            status, _ = client.request("/requests/")
            results.append((time.monotonic() - t0, "list", status, ""))
            status, page = client.request("/report/")
            results.append((time.monotonic() - t0, "form", status, ""))
            found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            token = found.group(1) if found else token
            if not token:
                time.sleep(0.2)
                continue
            # Submitted even when the form page failed (a form loaded before the outage).
            key = str(uuid.uuid4())
            status, _ = client.request(
                "/report/",
                {
                    "csrfmiddlewaretoken": token,
                    "idempotency_key": key,
                    "category": category,
                    "latitude": "37.76",
                    "longitude": "-122.44",
                    "description": f"{MARK} {key}",
                    "anonymous": "on",
                    "contact_method": "none",
                    "language": "en",
                    "action": "submit",
                },
            )
            results.append((time.monotonic() - t0, "submit", status, key))

    try:
        for _ in range(50):  # gunicorn up
            if Client().request("/health/")[0] == 200:
                break
            time.sleep(0.2)
        t0 = time.monotonic()
        threads = [threading.Thread(target=resident) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(WARMUP)
        stopping_at = time.monotonic() - t0
        pg_stop()
        down_at = time.monotonic() - t0  # stopped for sure from here
        time.sleep(OUTAGE)
        up_at = time.monotonic() - t0
        pg_start()
        started_at = time.monotonic() - t0
        time.sleep(AFTER)
        stop.set()
        for thread in threads:
            thread.join(timeout=20)
    finally:
        stop.set()
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=20)
        if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", PORT_PG]).returncode != 0:
            pg_start()

    # Phases by the time a response arrived; those that arrived while PostgreSQL was stopping or
    # starting (either answer is right), or within 1 s of it, are in no phase.
    before = [r for r in results if r[0] < stopping_at]
    during = [r for r in results if down_at + 1 < r[0] < up_at]
    after = [r for r in results if r[0] > started_at + 1]
    ok = {200, 302}
    before_bad = Counter(r[2] for r in before if r[2] not in ok)
    during_codes = Counter(r[2] for r in during)
    during_detail = Counter(f"{r[1]} {r[2]}" for r in during)
    after_bad = Counter(r[2] for r in after if r[2] not in ok)
    all_codes = Counter(r[2] for r in results)

    server_log = (WORK / "web" / "gunicorn.log").read_text(encoding="utf-8", errors="replace")
    tracebacks = server_log.count("Traceback")
    confirmed = {r[3] for r in results if r[1] == "submit" and r[2] == 302}
    refused = {r[3] for r in results if r[1] == "submit" and r[2] not in (302, -1)}
    check = subprocess.run(
        [
            _drill.PY,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from requests_app.models import ServiceRequest, RequestEvent\n"
            f"qs = ServiceRequest.objects.filter(description__startswith='{MARK}')\n"
            "for sr in qs: print(sr.idempotency_key, "
            "sr.events.filter(type=RequestEvent.Type.CREATED).count())\n",
        ],
        cwd=_drill.ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    saved = dict(zip(check[::2], (int(n) for n in check[1::2]), strict=True))
    half_saved = [k for k, n in saved.items() if n != 1]
    missing = sorted(confirmed - saved.keys())
    saved_but_refused = sorted(refused & saved.keys())
    passed = (
        before
        and after
        and during
        and not before_bad
        and not after_bad
        and set(during_codes) <= {503}
        and 500 not in all_codes
        and tracebacks == 0
        and not half_saved
        and not missing
        and not saved_but_refused
    )
    _drill.record(
        NAME,
        bool(passed),
        f"{len(results)} HTTP requests by 4 clients; PostgreSQL stopped {OUTAGE:.0f} s: "
        f"before {len(before)} (bad {dict(before_bad)}), during {dict(during_detail)}, "
        f"after {len(after)} (bad {dict(after_bad)}); {len(confirmed)} reports confirmed, "
        f"{len(saved)} saved, {len(half_saved)} half saved, {len(missing)} lost, "
        f"{len(saved_but_refused)} saved though refused; {tracebacks} tracebacks in the log; "
        f"{time.monotonic() - started:.0f} s",
    )
    pg_stop()  # the private cluster is the drill's own: leave nothing running
    if not passed:
        raise SystemExit(1)


if __name__ == "__main__":
    _drill.main_guard(main)
