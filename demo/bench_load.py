"""The mixed load test of `make bench` (issue 11): residents reporting and tracking, staff working
their queues and acting on requests, at 50 and 200 concurrent users for a bounded time each,
from a separate process (locust, headless, demo/locustfile.py says what the users do).

1. `load_plan_write`: the plan the users read (a report to file, tracking numbers, open
   requests of the staff login's department, a handful of staff sessions signed in over HTTP
   and shared by every staff user, the file each acknowledged submission is appended to).
2. `load_run`: locust for `seconds` at `users` (all started within the first second), its
   per-request CSV read back: requests, failures (any 5xx, exception or unexpected answer),
   requests/s and latency percentiles, overall and per kind of request.
3. Afterwards every acknowledged submission (a POST answered with its confirmation) is looked
   up in the database: the run passes only with zero failures and every one of them there.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from demo.bench_http import STAFF_USERNAME, staff_cookie
from demo.bench_submit import ReportPlan
from requests_app.models import ServiceRequest

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
STAFF_LOGINS = (STAFF_USERNAME, "agent")  # both in the department the staff users act in
SESSIONS_PER_LOGIN = 2


@dataclass
class LoadRow:
    name: str
    requests: int
    failures: int
    rps: float
    p50: float | None
    p95: float | None
    p99: float | None


@dataclass
class LoadResult:
    users: int
    seconds: float
    total: LoadRow | None = None
    rows: list[LoadRow] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # "count × what"
    submitted: int = 0  # acknowledged submissions
    found: int = 0  # of them, in the database
    error: str = ""

    @property
    def passed(self) -> bool:
        return (
            not self.error
            and self.total is not None
            and self.total.failures == 0
            and self.submitted == self.found
        )


def load_plan_write(
    *,
    base_url: str,
    password: str,
    report: ReportPlan,
    tracking_numbers: list[str],
    staff_tracking_numbers: list[str],
    think: tuple[float, float],
    workdir: Path,
) -> Path:
    """Step 1; returns the plan's path."""
    cookies = [
        staff_cookie(base_url, username=login, password=password)
        for login in STAFF_LOGINS
        for _ in range(SESSIONS_PER_LOGIN)
    ]
    plan = {
        "report": {
            "category_id": report.category_id,
            "latitude": report.latitude,
            "longitude": report.longitude,
            "address": report.address,
            "description": report.description,
            "answers": report.answers,
        },
        "tracking_numbers": tracking_numbers,
        "staff_tracking_numbers": staff_tracking_numbers,
        "staff_cookies": cookies,
        "think": list(think),
        "submitted_file": str(workdir / "submitted.txt"),
    }
    path = workdir / "plan.json"
    path.write_text(json.dumps(plan))
    return path


def _float(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def stats_read(stats_csv: Path) -> tuple[LoadRow | None, list[LoadRow]]:
    """locust's `<prefix>_stats.csv`: (the Aggregated row, one row per request name)."""
    total, rows = None, []
    with stats_csv.open(newline="") as handle:
        for line in csv.DictReader(handle):
            row = LoadRow(
                name=(f"{line['Type']} {line['Name']}".strip() if line["Type"] else line["Name"]),
                requests=int(line["Request Count"]),
                failures=int(line["Failure Count"]),
                rps=_float(line["Requests/s"]) or 0.0,
                p50=_float(line["50%"]),
                p95=_float(line["95%"]),
                p99=_float(line["99%"]),
            )
            if line["Name"] == "Aggregated":
                total = row
            else:
                rows.append(row)
    return total, rows


def failures_read(failures_csv: Path) -> list[str]:
    if not failures_csv.exists():
        return []
    with failures_csv.open(newline="") as handle:
        return [
            f"{line['Occurrences']} × {line['Method']} {line['Name']}: {line['Error']}"
            for line in csv.DictReader(handle)
        ]


def submissions_count(submitted_file: Path) -> tuple[int, int]:
    """(acknowledged submissions, how many of them are in the database)."""
    if not submitted_file.exists():
        return 0, 0
    tokens = {t.strip() for t in submitted_file.read_text().splitlines() if t.strip()}
    found = ServiceRequest.objects.filter(private_token__in=tokens).count() if tokens else 0
    return len(tokens), found


def load_run(
    *, base_url: str, plan_path: Path, users: int, seconds: int, workdir: Path
) -> LoadResult:
    """Step 2 and 3 for one number of users."""
    result = LoadResult(users=users, seconds=seconds)
    plan = json.loads(plan_path.read_text())
    submitted = Path(plan["submitted_file"])
    submitted.unlink(missing_ok=True)
    prefix = workdir / f"load_{users}"
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        base_url,
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = {**os.environ, "CIVIC311_LOAD_PLAN": str(plan_path)}
    done = subprocess.run(  # noqa: S603 - our interpreter, our locustfile
        command,
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        check=False,
        cwd=settings.BASE_DIR,
    )
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        result.error = f"locust exited {done.returncode}: {done.stderr.strip()[-400:]}"
        return result
    result.total, result.rows = stats_read(stats)
    result.failures = failures_read(Path(f"{prefix}_failures.csv"))
    result.submitted, result.found = submissions_count(submitted)
    return result


def load_test(
    *,
    base_url: str,
    password: str,
    report: ReportPlan,
    tracking_numbers: list[str],
    staff_tracking_numbers: list[str],
    users: list[int],
    seconds: int,
    think: tuple[float, float] = (1.0, 3.0),
    stdout=None,
) -> list[LoadResult]:
    """Every number of users in turn against the running server."""
    results = []
    with tempfile.TemporaryDirectory(prefix="civic311-load-") as tmp:
        workdir = Path(tmp)
        plan_path = load_plan_write(
            base_url=base_url,
            password=password,
            report=report,
            tracking_numbers=tracking_numbers,
            staff_tracking_numbers=staff_tracking_numbers,
            think=think,
            workdir=workdir,
        )
        for count in users:
            if stdout is not None:
                stdout.write(f"\nMixed load: {count} users for {seconds} s ...")
            result = load_run(
                base_url=base_url,
                plan_path=plan_path,
                users=count,
                seconds=seconds,
                workdir=workdir,
            )
            results.append(result)
            if stdout is not None:
                stdout.write(load_text(result))
    return results


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def load_text(result: LoadResult) -> str:
    if result.error:
        return f"  FAILED: {result.error}"
    t = result.total
    head = (
        f"  {result.users} users, {result.seconds:g} s: {t.requests:,} requests, "
        f"{t.rps:,.1f} req/s, p50 {_ms(t.p50)} / p95 {_ms(t.p95)} / p99 {_ms(t.p99)} ms, "
        f"{t.failures} failures; submissions acknowledged {result.submitted:,}, in the "
        f"database {result.found:,}: {'PASS' if result.passed else 'FAIL'}"
    )
    lines = [head, *(f"    {f}" for f in result.failures[:10])]
    for r in result.rows:
        lines.append(
            f"    {r.name:<40} {r.requests:>7,} {r.rps:>7.1f}/s p50 {_ms(r.p50):>6}"
            f" p95 {_ms(r.p95):>6} p99 {_ms(r.p99):>6} fail {r.failures}"
        )
    return "\n".join(lines)


def load_markdown(results: list[LoadResult], *, think: tuple[float, float]) -> str:
    """The mixed load test's summary for docs/benchmarks.md."""
    if not results:
        return ""
    lines = [
        "### Mixed load test\n",
        "locust (demo/locustfile.py) in its own process: 3 residents (report through the form, "
        "track, home or list) to 1 member of staff (queue, refresh, act on a request through "
        f"its page's forms), each waiting {think[0]:g}–{think[1]:g} s between actions; "
        f"{len(STAFF_LOGINS) * SESSIONS_PER_LOGIN} staff sessions shared. Latency in ms "
        "(locust rounds to 2 significant digits). A failure is any 5xx, exception or "
        "unexpected answer; a 409 on a staff action (two users changed the same request) is "
        "counted apart.\n",
        "| users | seconds | requests | req/s | p50 | p95 | p99 | failures | submissions "
        "acknowledged / in the database | result |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if r.error or r.total is None:
            lines.append(f"| {r.users} | {r.seconds:g} | **failed**: {r.error} |||||||")
            continue
        t = r.total
        lines.append(
            f"| {r.users} | {r.seconds:g} | {t.requests:,} | {t.rps:,.1f} | {_ms(t.p50)} | "
            f"{_ms(t.p95)} | {_ms(t.p99)} | {t.failures} | {r.submitted:,} / {r.found:,} | "
            f"**{'PASS' if r.passed else 'FAIL'}** |"
        )
    for r in results:
        if r.rows:
            lines += [
                f"\nAt {r.users} users, per kind of request:\n",
                "| request | count | req/s | p50 | p95 | p99 | failures |",
                "|---|---|---|---|---|---|---|",
            ]
            lines += [
                f"| {x.name} | {x.requests:,} | {x.rps:,.1f} | {_ms(x.p50)} | {_ms(x.p95)} | "
                f"{_ms(x.p99)} | {x.failures} |"
                for x in r.rows
            ]
        if r.failures:
            lines.append("\nFailures: " + "; ".join(r.failures[:10]))
    return "\n".join(lines) + "\n"
