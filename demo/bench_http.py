"""The HTTP half of `make bench` (issue 11): every page over real HTTP, next to `/health/`.

1. Start gunicorn (production settings: DEBUG off, plain HTTP on loopback, `workers` sync
   workers) on a free 127.0.0.1 port against the database this process uses, as a subprocess;
   wait for `/health/`; always stop it (`HttpServer` is a context manager).
2. Sign the `supervisor` demo login in over HTTP once (CSRF token from the login page) and send
   its session cookie with the staff pages.
3. Check each page answers what it should (200; a redirect to the sign-in page means the cookie
   failed and the page is reported as failed, never as fast), then measure it: one client in
   sequence from this process (p50, p95, p99 of each request's time, a new connection each, every
   status checked; ab's own percentiles are whole milliseconds, too coarse next to `/health/`)
   and `clients` concurrent clients with ApacheBench (`ab`, a second process: requests/s, non-2xx
   answers counted), each bounded by a time limit. Each page's throughput is divided by
   `/health/`'s measured beside it: the mean of a 50-client `/health/` run just before and one
   just after the page's own (a machine that slows or speeds up during the run, as shared cloud
   machines do, moves both sides of the ratio alike); its p50 by `/health/`'s p50 from the
   baseline row.
4. Each page's own SQL (demo.bench_sql): captured in-process, replayed with psycopg, median.
5. demo.bench_report prints the table with the goals of issue 11 and records it in
   docs/benchmarks.md; demo.bench_submit times the report POST; demo.bench_load is the mixed
   load test.
"""

from __future__ import annotations

import contextlib
import http.client
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from demo.bench_sql import page_queries, queries_replay

HOST = "127.0.0.1"
STAFF_USERNAME = "supervisor"
LOGIN_PATH = "/staff/login/"
MIN_SAMPLES = 30  # the 1-client run goes past its time limit until it has this many


class BenchHttpError(Exception):
    pass


KINDS = ("baseline", "resident", "staff", "submit")  # which goal of issue 11 a row is held to


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    staff: bool = False
    expect: int = 200  # 302 for /requests/find/ (it redirects to the tracker)
    kind: str = ""  # one of KINDS; blank: "staff" for staff pages, else "resident"
    # Poll as the staff queue's script does: each request sends, as If-None-Match, the ETag of
    # the answer before it, so most answers are "304 Not Modified" (a 200 when the ETag changed,
    # e.g. at the turn of the minute, which the ETag includes).
    conditional: bool = False

    def answered(self, status: int) -> bool:
        return status == self.expect or (self.conditional and status in (200, 304))

    @property
    def goal(self) -> str:
        return self.kind or ("staff" if self.staff else "resident")


@dataclass
class PageResult:
    page: Page
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None
    rps: float | None = None
    share: float | None = None  # rps / the baseline's rps (beside_rps when measured)
    beside_rps: float | None = None  # /health/'s rps, mean of the runs just before and after
    ratio: float | None = None  # p50 / the baseline's p50
    samples: int = 0  # requests in the 1-client run
    concurrent: int = 0  # requests in the concurrent run
    loaded_p95: float | None = None  # the report POST's p95 under concurrency
    sql_p50: float | None = None  # the page's own SQL replayed without Django (demo.bench_sql)
    sql_queries: int | None = None
    error: str = ""
    sql_error: str = ""


@dataclass(frozen=True)
class Budget:
    """Requests and seconds per measurement (each is bounded by both)."""

    sequential: int = 300
    concurrent: int = 3000
    clients: int = 50
    seconds: float = 6.0
    warmup: int = 20


# --- The server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """This process's database as a DATABASE_URL (in tests: the test database)."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgis://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


class HttpServer:
    """gunicorn in its own process group, started on enter and always stopped on exit."""

    def __init__(
        self, *, workers: int = 4, settings_module: str = "civic311.settings", timeout: float = 30
    ) -> None:
        self.workers = workers
        self.settings_module = settings_module
        self.timeout = timeout
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in stop()
            prefix="civic311-bench-gunicorn-", suffix=".log", delete=False
        )

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self) -> HttpServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": self.settings_module,
            "DATABASE_URL": database_url(),
            "DJANGO_DEBUG": "false",
            # Production refuses to start without a strong key: this process's own will do.
            "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or settings.SECRET_KEY,
            "SECURE_HTTPS": "false",
            "LOG_LEVEL": "WARNING",
        }
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "civic311.wsgi:application",
            "--workers",
            str(self.workers),
            "--bind",
            f"{HOST}:{self.port}",
            "--backlog",
            "2048",
            "--chdir",
            str(settings.BASE_DIR),
        ]
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments, our own interpreter
            command,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers are stopped with it
        )
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchHttpError(f"gunicorn exited ({self.process.returncode}): {self.tail()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if fetch(self.base_url, "/health/").status == 200:
                    return
            time.sleep(0.2)
        raise BenchHttpError(f"gunicorn did not answer /health/ in {self.timeout:g} s")

    def tail(self, lines: int = 20) -> str:
        self.log.flush()
        text = Path(self.log.name).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """TERM the master (it stops its workers), then KILL the whole group if anything stays."""
        process = self.process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        if process is not None:
            # Workers orphaned by a crashed master are still in the group.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        if not self.log.closed:
            self.log.close()
            Path(self.log.name).unlink(missing_ok=True)

    @property
    def pgid(self) -> int | None:
        return self.process.pid if self.process else None


# --- HTTP ----------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: str

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers if k.lower() == name.lower()), "")

    def cookies(self) -> dict[str, str]:
        found = {}
        for key, value in self.headers:
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                found[name.strip()] = rest.split(";", 1)[0]
        return found


def fetch(
    base_url: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: str | None = None,
    timeout: float = 30,
) -> Response:
    """One request, redirects not followed."""
    host, port = base_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        method = "POST" if body is not None else "GET"
        sent = dict(headers or {})
        if body is not None:
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        return Response(
            response.status, response.getheaders(), response.read().decode(errors="replace")
        )
    finally:
        conn.close()


def staff_cookie(base_url: str, *, username: str, password: str) -> str:
    """Sign in through the login form; the Cookie header value for the signed-in session."""
    page = fetch(base_url, LOGIN_PATH)
    csrf_cookie = page.cookies().get("csrftoken", "")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    if page.status != 200 or not csrf_cookie or not match:
        raise BenchHttpError(f"sign-in page: HTTP {page.status}, no CSRF token")
    form = "&".join(
        f"{k}={quote(v, safe='')}"
        for k, v in {
            "csrfmiddlewaretoken": match.group(1),
            "username": username,
            "password": password,
        }.items()
    )
    answer = fetch(
        base_url,
        LOGIN_PATH,
        body=form,
        headers={"Cookie": f"csrftoken={csrf_cookie}", "Origin": base_url, "Referer": base_url},
    )
    session = answer.cookies().get(settings.SESSION_COOKIE_NAME, "")
    if answer.status != 302 or not session:
        raise BenchHttpError(f"sign-in as {username!r} failed: HTTP {answer.status}")
    return f"csrftoken={csrf_cookie}; {settings.SESSION_COOKIE_NAME}={session}"


def page_check(base_url: str, page: Page, headers: dict[str, str]) -> str:
    """'' when the page answers as it should, else why not."""
    response = fetch(base_url, page.path, headers=headers)
    if page.answered(response.status):
        return ""
    location = response.header("Location")
    if response.status in (301, 302, 303) and LOGIN_PATH in location:
        return f"HTTP {response.status} to the sign-in page: the session cookie failed"
    detail = f" to {location}" if location else ""
    return f"HTTP {response.status}{detail}, expected {page.expect}"


# --- ApacheBench ---------------------------------------------------------------------------------


def ab_path() -> str:
    path = shutil.which("ab")
    if not path:
        raise BenchHttpError("ApacheBench (ab) is missing: apt-get install apache2-utils")
    return path


def ab_run(
    url: str, *, requests: int, clients: int, seconds: float, headers: dict[str, str]
) -> str:
    """ab's report. -t before -n: ab stops at whichever limit comes first."""
    command = [ab_path(), "-q", "-r", "-l", "-t", str(max(1, round(seconds)))]
    command += ["-n", str(requests), "-c", str(clients)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(  # noqa: S603 - ab with our own arguments
        [*command, url], capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if done.returncode != 0:
        raise BenchHttpError(f"ab failed ({done.returncode}): {done.stderr.strip()[-300:]}")
    return done.stdout


def ab_value(report: str, label: str) -> float:
    match = re.search(rf"^{re.escape(label)}:\s+([\d.]+)", report, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def percentile(samples: list[float], percent: float) -> float:
    """Nearest rank: the smallest sample with at least `percent` % of them at or below it."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def sequential_times(
    base_url: str, page: Page, headers: dict[str, str], budget: Budget
) -> tuple[list[float], str]:
    """One client, one request after another (a new connection each, as ab does): milliseconds
    per request, and '' or why a response was wrong. Stops after `budget.sequential` requests or
    `budget.seconds`, but not before MIN_SAMPLES requests (up to three times the time limit)."""
    samples: list[float] = []
    headers = dict(headers)
    start = time.monotonic()
    while len(samples) < budget.sequential:
        elapsed = time.monotonic() - start
        if elapsed > budget.seconds and (
            len(samples) >= MIN_SAMPLES or elapsed > 3 * budget.seconds
        ):
            break
        began = time.perf_counter()
        response = fetch(base_url, page.path, headers=headers)
        samples.append((time.perf_counter() - began) * 1000)
        if not page.answered(response.status):
            return samples, f"HTTP {response.status} during the 1-client run"
        if page.conditional and response.header("ETag"):
            headers["If-None-Match"] = response.header("ETag")
    return samples, ""


def with_etag(base_url: str, page: Page, headers: dict[str, str]) -> dict[str, str]:
    """`headers` plus If-None-Match with the ETag the page answers with now (for a conditional
    page; ab repeats one fixed request, so the ETag is taken fresh just before each run)."""
    if not page.conditional:
        return headers
    etag = fetch(base_url, page.path, headers=headers).header("ETag")
    return {**headers, "If-None-Match": etag} if etag else headers


def health_rps(base_url: str, budget: Budget) -> float:
    """`/health/`'s requests/s at `budget.clients` clients, now (the baseline beside a page)."""
    report = ab_run(
        base_url + "/health/",
        requests=budget.concurrent,
        clients=budget.clients,
        seconds=budget.seconds,
        headers={},
    )
    return ab_value(report, "Requests per second")


def page_measure(
    base_url: str, page: Page, headers: dict[str, str], budget: Budget, *, beside: bool = True
) -> PageResult:
    """One page's runs; with `beside`, `/health/`'s req/s just before and after its 50-client
    run (not for the baseline row itself)."""
    url = base_url + page.path
    result = PageResult(page)
    ab_run(
        url,
        requests=budget.warmup,
        clients=2,
        seconds=budget.seconds,
        headers=with_etag(base_url, page, headers),
    )
    samples, result.error = sequential_times(
        base_url, page, with_etag(base_url, page, headers), budget
    )
    if result.error:
        return result
    result.samples = len(samples)
    result.p50, result.p95, result.p99 = (percentile(samples, p) for p in (50, 95, 99))
    before = health_rps(base_url, budget) if beside else None
    report = ab_run(
        url,
        requests=budget.concurrent,
        clients=budget.clients,
        seconds=budget.seconds,
        headers=with_etag(base_url, page, headers),
    )
    if beside:
        result.beside_rps = (before + health_rps(base_url, budget)) / 2
    result.rps = ab_value(report, "Requests per second")
    result.concurrent = int(ab_value(report, "Complete requests"))
    non_2xx = int(ab_value(report, "Non-2xx responses"))
    failed = int(ab_value(report, "Exceptions") + ab_value(report, "Write errors"))
    if page.expect == 200 and non_2xx and not page.conditional:
        result.error = f"{non_2xx} of {result.concurrent} answers were not 2xx under load"
    elif failed:
        result.error = f"{failed} connection errors under load"
    return result


# --- The run -------------------------------------------------------------------------------------


def pages_default(*, tracking_number: str, staff_tracking_number: str) -> list[Page]:
    """The pages of issue 11's table (the map's points come inside the browse results)."""
    htmx = {"HX-Request": "true"}
    refresh = {"HX-Request": "true", "HX-Target": "queue-rows"}
    return [
        Page("health (baseline)", "/health/", kind="baseline"),
        Page("home", "/"),
        Page("report form", "/report/"),
        Page("category search fragment, HTMX", "/report/categories/?q=pot", htmx),
        Page("tracker (random open request)", f"/requests/{tracking_number}/"),
        Page("find by tracking number (302)", f"/requests/find/?q={tracking_number}", expect=302),
        Page("public list", "/requests/"),
        Page("browse results + map points, HTMX", "/requests/?status=open", htmx),
        Page("staff queue + counters", "/staff/", staff=True),
        Page(
            "queue refresh, ETag (mostly 304)",
            "/staff/",
            refresh,
            staff=True,
            conditional=True,
        ),
        Page("queue refresh, full (no ETag)", "/staff/", refresh, staff=True),
        Page("staff request page", f"/staff/requests/{staff_tracking_number}/", staff=True),
        Page("operator intake", "/staff/intake/", staff=True),
    ]


def page_sql(
    page: Page, *, runs: int = 30, seconds: float = 5.0
) -> tuple[int | None, float | None, str]:
    """(statements, median ms, error) of the page's own SQL (demo.bench_sql), signed in as the
    bench's staff user for staff pages."""
    user = get_user_model().objects.filter(username=STAFF_USERNAME).first() if page.staff else None
    try:
        queries = page_queries(
            path=page.path,
            headers=page.headers,
            user=user,
            expect=304 if page.conditional else page.expect,
            conditional=page.conditional,
        )
    except Exception as exc:  # any failure is shown in the table, never stops the bench
        return None, None, f"capture failed: {exc}"[:200]
    timing = queries_replay(queries, runs=runs, seconds=seconds)
    return timing.queries, timing.p50, timing.error


def http_bench(
    *,
    pages: list[Page],
    budget: Budget,
    password: str,
    server: HttpServer,
    stdout=None,
    sql: bool = True,
) -> list[PageResult]:
    """Measure every page against a running server (the first page is the baseline); with
    `sql`, each page's own SQL too (after its HTTP runs, so the two never overlap)."""
    cookie = ""
    if any(p.staff for p in pages):
        try:
            cookie = staff_cookie(server.base_url, username=STAFF_USERNAME, password=password)
        except BenchHttpError as exc:
            cookie = ""
            login_error = str(exc)
    results = []
    for index, page in enumerate(pages):
        headers = dict(page.headers)
        if page.staff:
            if not cookie:
                results.append(PageResult(page, error=login_error))
                continue
            headers["Cookie"] = cookie
        error = page_check(server.base_url, page, headers)
        if error:
            results.append(PageResult(page, error=error))
        else:
            try:
                results.append(
                    page_measure(server.base_url, page, headers, budget, beside=index > 0)
                )
            except BenchHttpError as exc:
                results.append(PageResult(page, error=str(exc)))
        result = results[-1]
        if sql and not result.error:
            result.sql_queries, result.sql_p50, result.sql_error = page_sql(
                page, seconds=budget.seconds
            )
        if stdout is not None:
            stdout.write(f"  {results_row(result)}")
    results_relate(results)
    return results


def results_relate(results: list[PageResult]) -> None:
    """Each row's throughput share (against `/health/` measured beside it, else the baseline
    row) and p50 ratio against the baseline (the first row)."""
    base = results[0] if results else None
    for result in results:
        health = result.beside_rps or (base.rps if base else None)
        # A submission's throughput includes its form and confirmation: not comparable.
        if health and result.rps is not None and result.page.goal != "submit":
            result.share = result.rps / health
        if base and base.p50 and result.p50 is not None:
            result.ratio = result.p50 / base.p50


def _number(value: float | None, digits: int) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def results_row(r: PageResult) -> str:
    """One page's progress line (the full table with the goals is demo.bench_report's)."""
    if r.error:
        return f"{r.page.name:<38} FAILED: {r.error}"
    sql = f"sql {_number(r.sql_p50, 1)} ms/{r.sql_queries}q" if r.sql_queries is not None else ""
    return (
        f"{r.page.name:<38} {_number(r.p50, 1):>8} {_number(r.p95, 1):>8} {_number(r.p99, 1):>8}"
        f" {_number(r.rps, 1):>9}  {sql}{r.sql_error}"
    )


def results_header(clients: int) -> str:
    rps = f"rps@{clients}"
    return f"{'page':<38} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {rps:>9}  own SQL"
