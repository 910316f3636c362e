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
   `/health/`'s from the same run.
4. `results_table` prints the results; `benchmarks_doc_write` records them in
   docs/benchmarks.md with the date, machine, commit and database size.
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
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

HOST = "127.0.0.1"
STAFF_USERNAME = "supervisor"
LOGIN_PATH = "/staff/login/"
DOC_PATH = Path(settings.BASE_DIR) / "docs" / "benchmarks.md"
RESULTS_START = "<!-- bench:results -->"
MIN_SAMPLES = 30  # the 1-client run goes past its time limit until it has this many


class BenchHttpError(Exception):
    pass


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    staff: bool = False
    expect: int = 200  # 302 for /requests/find/ (it redirects to the tracker)


@dataclass
class PageResult:
    page: Page
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None
    rps: float | None = None
    share: float | None = None
    samples: int = 0  # requests in the 1-client run
    concurrent: int = 0  # requests in the concurrent run
    error: str = ""


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
    if response.status == page.expect:
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
        if response.status != page.expect:
            return samples, f"HTTP {response.status} during the 1-client run"
    return samples, ""


def page_measure(base_url: str, page: Page, headers: dict[str, str], budget: Budget) -> PageResult:
    url = base_url + page.path
    result = PageResult(page)
    ab_run(url, requests=budget.warmup, clients=2, seconds=budget.seconds, headers=headers)
    samples, result.error = sequential_times(base_url, page, headers, budget)
    if result.error:
        return result
    result.samples = len(samples)
    result.p50, result.p95, result.p99 = (percentile(samples, p) for p in (50, 95, 99))
    report = ab_run(
        url,
        requests=budget.concurrent,
        clients=budget.clients,
        seconds=budget.seconds,
        headers=headers,
    )
    result.rps = ab_value(report, "Requests per second")
    result.concurrent = int(ab_value(report, "Complete requests"))
    non_2xx = int(ab_value(report, "Non-2xx responses"))
    failed = int(ab_value(report, "Exceptions") + ab_value(report, "Write errors"))
    if page.expect == 200 and non_2xx:
        result.error = f"{non_2xx} of {result.concurrent} answers were not 2xx under load"
    elif failed:
        result.error = f"{failed} connection errors under load"
    return result


# --- The run -------------------------------------------------------------------------------------


def pages_default(*, tracking_number: str, staff_tracking_number: str) -> list[Page]:
    """The pages of issue 11's table (the map's points come inside the browse results)."""
    htmx = {"HX-Request": "true"}
    return [
        Page("health (baseline)", "/health/"),
        Page("home", "/"),
        Page("report form", "/report/"),
        Page("category search fragment, HTMX", "/report/categories/?q=pot", htmx),
        Page("tracker (random open request)", f"/requests/{tracking_number}/"),
        Page("find by tracking number (302)", f"/requests/find/?q={tracking_number}", expect=302),
        Page("public list", "/requests/"),
        Page("browse results + map points, HTMX", "/requests/?status=open", htmx),
        Page("staff queue + counters", "/staff/", staff=True),
        Page(
            "queue refresh fragment, HTMX",
            "/staff/",
            {"HX-Request": "true", "HX-Target": "queue-rows"},
            staff=True,
        ),
        Page("staff request page", f"/staff/requests/{staff_tracking_number}/", staff=True),
        Page("operator intake", "/staff/intake/", staff=True),
    ]


def http_bench(
    *,
    pages: list[Page],
    budget: Budget,
    password: str,
    server: HttpServer,
    stdout=None,
) -> list[PageResult]:
    """Measure every page against a running server (the first page is the baseline)."""
    cookie = ""
    if any(p.staff for p in pages):
        try:
            cookie = staff_cookie(server.base_url, username=STAFF_USERNAME, password=password)
        except BenchHttpError as exc:
            cookie = ""
            login_error = str(exc)
    results = []
    for page in pages:
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
                results.append(page_measure(server.base_url, page, headers, budget))
            except BenchHttpError as exc:
                results.append(PageResult(page, error=str(exc)))
        if stdout is not None:
            stdout.write(f"  {results_row(results[-1])}")
    baseline = results[0].rps if results and results[0].rps else None
    for result in results:
        if baseline and result.rps is not None:
            result.share = result.rps / baseline
    return results


# --- The table -----------------------------------------------------------------------------------

COLUMNS = (
    "page",
    "1 client p50 ms",
    "p95 ms",
    "p99 ms",
    "req/s @{clients}",
    "share of /health/",
    "requests (1 client / {clients})",
)


def _number(value: float | None, digits: int) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def results_row(r: PageResult) -> str:
    if r.error:
        return f"{r.page.name:<38} FAILED: {r.error}"
    return (
        f"{r.page.name:<38} {_number(r.p50, 1):>8} {_number(r.p95, 1):>8} {_number(r.p99, 1):>8}"
        f" {_number(r.rps, 1):>9} {_number(r.share, 2):>7}"
    )


def results_header(clients: int) -> str:
    rps = f"rps@{clients}"
    return f"{'page':<38} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {rps:>9} {'share':>7}"


def results_table(results: list[PageResult], *, clients: int) -> str:
    return "\n".join([results_header(clients), *(results_row(r) for r in results)])


def results_markdown(results: list[PageResult], *, clients: int) -> str:
    head = [c.format(clients=clients) for c in COLUMNS]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        if r.error:
            cells = [f"{r.page.name} (`{r.page.path}`)", f"**failed**: {r.error}"]
            cells += [""] * (len(head) - len(cells))
        else:
            cells = [
                f"{r.page.name} (`{r.page.path}`)",
                _number(r.p50, 1),
                _number(r.p95, 1),
                _number(r.p99, 1),
                _number(r.rps, 1),
                _number(r.share, 2),
                f"{r.samples:,} / {r.concurrent:,}",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine() -> str:
    cpus = os.cpu_count() or 0
    try:
        with open("/proc/meminfo") as handle:
            kb = int(next(line for line in handle if line.startswith("MemTotal")).split()[1])
        ram = f"{kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        ram = "RAM unknown"
    return f"{cpus} CPUs (nproc), {ram}"


def commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "unknown"


DOC_INTRO = """# Benchmarks

`make bench` times the hot paths in-process and then every page over HTTP (issue 11), on a
database of its own (`civic311_bench`, seeded once with 1,000,000 requests and their events, then
reused):

    make bench                                   # 1,000,000 requests (seeding takes ~4 min once)
    make bench ARGS='--no-http'                  # only the in-process timings
    make bench ARGS='--requests 100000' \\
      BENCH_DATABASE_URL=postgis://postgres:postgres@127.0.0.1:5432/civic311_bench100k

A smaller size wants a database of its own: a database holding more requests than asked is
reused as it is (seeding 100,000 takes about 40 s). `--http-seconds`, `--http-sequential`,
`--http-concurrent`, `--http-clients` and `--workers` change the HTTP measurements.

The HTTP part starts gunicorn with production settings (DEBUG off, plain HTTP on 127.0.0.1,
4 sync workers) as a subprocess, signs the `supervisor` demo login in over HTTP for the staff
pages, checks every page answers 200 (a redirect to the sign-in page is reported as a failure),
then measures each page: one client in sequence (p50, p95, p99 in milliseconds, timed per
request by the bench process; with fewer than 100 requests p99 is the slowest one) and 50
concurrent clients with ApacheBench from a second process (requests per second), each
measurement bounded in time (the table says how many requests each made). "Share of
/health/" is the page's throughput at 50 clients divided by that of the bare `/health/` view
in the same run. The table below is the latest run's; `make bench` replaces it.
"""


def benchmarks_doc_write(
    results: list[PageResult],
    *,
    clients: int,
    requests_count: int,
    workers: int,
    budget: Budget,
    path: Path = DOC_PATH,
) -> None:
    """docs/benchmarks.md: the intro, then this run's table (the previous one is replaced)."""
    intro = DOC_INTRO
    if path.exists():
        text = path.read_text()
        if RESULTS_START in text:
            intro = text.split(RESULTS_START, 1)[0].rstrip() + "\n"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    run = (
        f"{RESULTS_START}\n## Latest run\n\n"
        f"{when}, commit `{commit()}`, {machine()}; database: {requests_count:,} requests; "
        f"gunicorn {workers} sync workers; 1 client up to {budget.sequential} requests, "
        f"{clients} clients (ab) up to {budget.concurrent} requests, each about "
        f"{budget.seconds:g} s at most."
        f"\n\n{results_markdown(results, clients=clients)}\n"
    )
    path.write_text(f"{intro}\n{run}")
