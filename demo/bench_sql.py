"""Each page's own SQL, timed without Django or HTTP: the "SQL" column of `make bench`.

1. Capture (`page_queries`): request the page in-process through Django's test client (signed in
   as the bench's staff user for staff pages, `secure=True` so a production HTTPS redirect does
   not stand in for the page), once to warm per-process caches, then again inside
   CaptureQueriesContext. The statements come back as PostgreSQL will run them (Django's
   psycopg 3 backend interpolates the parameters). A POST is captured inside a transaction that
   is rolled back, so nothing it wrote stays.
2. Replay (`queries_replay`): a psycopg connection of its own runs the statements in order,
   fetching every row, inside a transaction rolled back after each run (so a page that writes -
   a session save, a report - leaves nothing and meets no unique key twice). Automatic
   prepared statements are off, as in Django (each statement is planned and executed, as the
   page pays for it). The page's SQL time is the median of the runs' totals, round trips
   included; it is the floor under the page's own time, the rest being Python, templates and
   HTTP.
"""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from requests_app.prepared import prepares_for

# Statements that belong to the test client's own transaction handling, not to the page.
SKIPPED_PREFIXES = ("BEGIN", "COMMIT", "ROLLBACK")


class Rollback(Exception):
    pass


@dataclass
class SqlTiming:
    queries: int = 0
    p50: float | None = None
    runs: int = 0
    error: str = ""


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run the block in a transaction and undo all of it."""
    try:
        with transaction.atomic():
            yield
            raise Rollback
    except Rollback:
        pass


def _meta(headers: dict[str, str]) -> dict[str, str]:
    return {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}


def page_queries(
    *,
    path: str,
    headers: dict[str, str] | None = None,
    user=None,
    expect: int = 200,
    data: dict | None = None,
    conditional: bool = False,
) -> list[str]:
    """The SQL one GET of `path` (or one POST of `data`) runs, as text. Raises ValueError when
    the page answers another status than `expect` (timing a redirect is not timing the page).
    `conditional`: the measured GET sends the ETag of the warming GET as If-None-Match."""
    client = Client(HTTP_HOST="127.0.0.1", **_meta(headers or {}))
    if user is not None:
        client.force_login(user)
    etag: dict[str, str] = {}

    def once():
        if data is None:
            response = client.get(path, secure=True, **etag)
            if conditional and response.get("ETag"):
                etag["HTTP_IF_NONE_MATCH"] = response["ETag"]
            return response
        return client.post(path, data, secure=True)

    # The request log would print every captured request; the bench prints its own table.
    quiet = logging.getLogger("civic311.request")
    level, quiet.level = quiet.level, logging.WARNING
    try:
        response, captured = _captured(once, warm=data is None)
    finally:
        quiet.setLevel(level)
    if response.status_code != expect:
        raise ValueError(f"in-process: HTTP {response.status_code}, expected {expect}")
    return [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"] and not q["sql"].lstrip().upper().startswith(SKIPPED_PREFIXES)
    ]


def _captured(once, *, warm: bool):
    """(the response, the captured queries) of once(); a GET after a warming call, a POST
    inside a transaction rolled back."""
    if warm:
        once()  # warm the process's caches, as a long-running gunicorn worker has them
        with CaptureQueriesContext(connection) as captured:
            response = once()
    else:
        with rolled_back(), CaptureQueriesContext(connection) as captured:
            response = once()
    return response, captured


def conninfo() -> str:
    """This process's database as psycopg connection parameters."""
    db = connection.settings_dict
    parts = {
        "dbname": db["NAME"],
        "user": db.get("USER") or "",
        "password": db.get("PASSWORD") or "",
        "host": db.get("HOST") or "",
        "port": str(db.get("PORT") or ""),
    }
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in parts.items() if v})


def queries_replay(queries: list[str], *, runs: int = 30, seconds: float = 5.0) -> SqlTiming:
    """Run the statements `runs` times (fewer if `seconds` run out, at least 3 times); the
    median total in milliseconds."""
    timing = SqlTiming(queries=len(queries))
    if not queries:
        timing.p50, timing.runs = 0.0, runs
        return timing
    totals: list[float] = []
    try:
        with psycopg.connect(conninfo(), prepare_threshold=None) as conn:
            # The statements a page prepares once per session (requests_app.prepared), made
            # here untimed, as a long-running worker's session has them.
            with conn.cursor() as cursor:
                for sql in prepares_for(queries):
                    cursor.execute(sql.encode())
            conn.commit()
            started = time.monotonic()
            while len(totals) < runs and (len(totals) < 3 or time.monotonic() - started < seconds):
                with conn.cursor() as cursor:
                    began = time.perf_counter()
                    for sql in queries:
                        cursor.execute(sql.encode())
                        if cursor.description is not None:
                            cursor.fetchall()
                    totals.append((time.perf_counter() - began) * 1000)
                conn.rollback()
    except psycopg.Error as exc:
        timing.error = f"replay failed: {str(exc).strip().splitlines()[0][:200]}"
        return timing
    timing.runs = len(totals)
    timing.p50 = statistics.median(totals)
    return timing
