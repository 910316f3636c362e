"""`make bench`'s table: every row against its goal of issue 11, printed and kept per database
size in docs/benchmarks.md, with the growth from the smallest size to the largest.

1. `verdict` holds each row to its goal (GOALS): resident pages p50 within 5x of `/health/`'s,
   p99 under 25 ms and 25% of its throughput at 50 clients; staff pages p95 under 40 ms and
   10%; the report POST p95 under 40 ms. A failed measurement fails.
2. `results_text` / `results_markdown`: p50, p95, p99, requests/s, the p50 ratio and the
   throughput share against `/health/`, the page's own SQL, PASS/FAIL with the reasons.
3. `benchmarks_doc_write`: docs/benchmarks.md keeps one section per size (100k, 1M, 10M...),
   each replaced by the next run at that size; each section carries its p95s as a JSON
   comment, from which the growth table (p95 at the largest size / at the smallest, goal at
   most 1.5x) is rebuilt on every write. The mixed load test's summary sits in its size's
   section.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from demo.bench_http import Budget, PageResult
from demo.paths import CITY_DIR
from requests_app.category_search import TOP, phrasings_score

DOC_PATH = Path(settings.BASE_DIR) / "docs" / "benchmarks.md"
RESULTS_START = "<!-- bench:results -->"
SECTION_RE = re.compile(
    r"<!-- bench:size (?P<key>\d+) -->\n(?P<body>.*?)<!-- bench:end (?P=key) -->\n?", re.DOTALL
)
DATA_RE = re.compile(r"<!-- bench:data (?P<json>\{.*?\}) -->")
GROWTH_MAX = 1.5
SEARCH_GOAL = 0.95  # issue 12: of the written phrasings, per language, in the top three
TOKEN_RE = re.compile(r"[0-9a-f]{32,}")  # a private link's token, too long for the table


@dataclass(frozen=True)
class Goal:
    p50_ratio_max: float | None = None  # p50 / baseline p50
    p95_max_ms: float | None = None
    p99_max_ms: float | None = None
    share_min: float | None = None  # rps / baseline rps
    text: str = ""


GOALS = {
    "resident": Goal(
        p50_ratio_max=5, p99_max_ms=25, share_min=0.25, text="p50 ≤ 5× health, p99 < 25, ≥ 25%"
    ),
    "staff": Goal(p95_max_ms=40, share_min=0.10, text="p95 < 40, ≥ 10%"),
    "submit": Goal(p95_max_ms=40, text="p95 < 40"),
}


def verdict(result: PageResult) -> tuple[str, list[str]]:
    """("PASS" | "FAIL" | "" for the baseline, the reasons it fails)."""
    goal = GOALS.get(result.page.goal)
    if goal is None:
        return "", []
    if result.error:
        return "FAIL", ["failed"]
    misses = []
    if goal.p50_ratio_max is not None and (
        result.ratio is None or result.ratio > goal.p50_ratio_max
    ):
        misses.append(f"p50 {_n(result.ratio, 1)}× health > {goal.p50_ratio_max:g}×")
    if goal.p95_max_ms is not None and (result.p95 is None or result.p95 >= goal.p95_max_ms):
        misses.append(f"p95 {_n(result.p95, 1)} ≥ {goal.p95_max_ms:g} ms")
    if goal.p99_max_ms is not None and (result.p99 is None or result.p99 >= goal.p99_max_ms):
        misses.append(f"p99 {_n(result.p99, 1)} ≥ {goal.p99_max_ms:g} ms")
    if goal.share_min is not None and (result.share is None or result.share < goal.share_min):
        misses.append(f"{_n(result.share, 2)} of health's req/s < {goal.share_min:g}")
    return ("FAIL" if misses else "PASS"), misses


def _n(value: float | None, digits: int) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _sql(r: PageResult) -> str:
    if r.sql_error:
        return "–"
    if r.sql_p50 is None:
        return ""
    return f"{r.sql_p50:,.1f} ({r.sql_queries} q)"


def results_text(results: list[PageResult], *, clients: int) -> str:
    """The table for the terminal."""
    head = (
        f"{'page':<36} {'p50':>7} {'p95':>7} {'p99':>7} {'req/s':>8} {'x p50':>6} {'share':>6}"
        f" {'health':>8} {'own SQL':>13}  goal"
    )
    lines = [
        f"(ms; req/s at {clients} clients; x p50 against /health/'s p50; share against /health/'s"
        f" req/s measured beside the page, shown under 'health')",
        head,
    ]
    for r in results:
        passed, misses = verdict(r)
        if r.error:
            lines.append(f"{r.page.name:<36} FAILED: {r.error}")
            continue
        lines.append(
            f"{r.page.name:<36} {_n(r.p50, 1):>7} {_n(r.p95, 1):>7} {_n(r.p99, 1):>7}"
            f" {_n(r.rps, 1):>8} {_n(r.ratio, 1):>6} {_n(r.share, 2):>6}"
            f" {_n(r.beside_rps, 0):>8} {_sql(r):>13}"
            f"  {passed}{': ' + '; '.join(misses) if misses else ''}"
        )
    return "\n".join(lines)


def results_markdown(results: list[PageResult], *, clients: int) -> str:
    head = [
        "page",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        f"req/s @{clients}",
        "p50 ÷ health",
        "share of health req/s",
        "health req/s beside",
        "own SQL p50 ms (queries)",
        "goal",
        "requests (1 client / concurrent)",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        passed, misses = verdict(r)
        name = f"{r.page.name} (`{TOKEN_RE.sub('<token>', r.page.path)}`)"
        if r.error:
            cells = [name, f"**failed**: {r.error}"] + [""] * 7 + ["**FAIL**", ""]
        else:
            goal = GOALS.get(r.page.goal)
            mark = f"**{passed}**" if passed else "baseline"
            if misses:
                mark += ": " + "; ".join(misses)
            elif goal:
                mark += f" ({goal.text})"
            if r.loaded_p95 is not None:
                mark += f"; p95 at {clients} clients {r.loaded_p95:,.1f} ms"
            cells = [
                name,
                _n(r.p50, 1),
                _n(r.p95, 1),
                _n(r.p99, 1),
                _n(r.rps, 1),
                _n(r.ratio, 1),
                _n(r.share, 2),
                _n(r.beside_rps, 0),
                _sql(r) or "–",
                mark,
                f"{r.samples:,} / {r.concurrent:,}",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def size_label(n: int) -> str:
    """100000 → 100k, 1000000 → 1M, 10000000 → 10M; other numbers as they are."""
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return f"{n:,}"


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

`make bench` times the hot paths in-process, then every page over HTTP, a report POST and a
mixed load test (issue 11), on a database of its own per size, seeded once and then reused:

    make bench                                   # 1,000,000 requests in civic311_bench
    make bench ARGS='--requests 100000'          # civic311_bench_100k
    make bench ARGS='--requests 10000000'        # civic311_bench_10m (seeding under an hour, once)
    make bench ARGS='--no-http'                  # only the in-process timings
    make bench ARGS='--load-seconds 30 --load-users 50'   # a shorter, smaller load test
    make bench ARGS='--no-load'                  # no mixed load test

What each row means: gunicorn with production settings (DEBUG off, plain HTTP on 127.0.0.1,
4 sync workers) as a subprocess; p50/p95/p99 from one client in sequence (timed per request by
the bench process, a new connection each); req/s from 50 concurrent clients with ApacheBench in
a second process; "p50 ÷ health" against the bare `/health/` view's p50 in the same run;
"share of health req/s" against `/health/`'s req/s measured beside the page ("health req/s
beside": the mean of a 50-client `/health/` run just before the page's and one just after, so a
machine that slows or speeds up during the run moves both sides alike); "own SQL" the page's
statements, captured in-process and replayed with psycopg without Django (the floor under the
page: the rest is Python, templates and HTTP). The report
POST goes through the real form (GET for the CSRF token and hidden fields, POST, follow to the
confirmation) from one client, then from 50 threads (submissions/s, each client also fetching
the form and the confirmation); the bench raises the database's intake limits for the run and
puts them back after. Goals (issue 11): resident pages p50 ≤ 5× health, p99 < 25 ms, ≥ 25% of
health's req/s; staff pages p95 < 40 ms, ≥ 10%; the report POST p95 < 40 ms; from 100k to 10M
no page's p95 grows more than 1.5×. Each size's section below is replaced by the next run at
that size.
"""


def _sections(text: str) -> dict[int, str]:
    return {int(m["key"]): m.group(0) for m in SECTION_RE.finditer(text)}


def _data(section: str) -> dict:
    match = DATA_RE.search(section)
    if not match:
        return {}
    try:
        return json.loads(match["json"])
    except ValueError:
        return {}


def section_markdown(
    results: list[PageResult],
    *,
    size: int,
    requests_count: int,
    clients: int,
    workers: int,
    budget: Budget,
    load: str = "",
) -> str:
    """One size's section: heading, how it was run, the table, the load test, its data."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    data = {
        "p95": {r.page.name: round(r.p95, 2) for r in results if not r.error and r.p95 is not None},
        "when": when,
    }
    passed = [verdict(r)[0] for r in results]
    tally = f"{passed.count('PASS')} PASS, {passed.count('FAIL')} FAIL"
    return (
        f"<!-- bench:size {size} -->\n## {size_label(size)} requests\n\n"
        f"{when}, commit `{commit()}`, {machine()}; database: {requests_count:,} requests; "
        f"gunicorn {workers} sync workers; 1 client up to {budget.sequential} requests, "
        f"{clients} clients up to {budget.concurrent} requests, each about {budget.seconds:g} s "
        f"at most. Goals: {tally}.\n\n{results_markdown(results, clients=clients)}\n"
        + (f"\n{load.strip()}\n" if load.strip() else "")
        + f"\n<!-- bench:data {json.dumps(data, ensure_ascii=False)} -->\n"
        f"<!-- bench:end {size} -->\n"
    )


def growth_markdown(sections: dict[int, str]) -> str:
    """p95 per page at each size, and the largest size's over the smallest's (≤ 1.5×)."""
    sizes = sorted(k for k in sections if _data(sections[k]).get("p95"))
    if len(sizes) < 2:
        return ""
    p95s = {k: _data(sections[k])["p95"] for k in sizes}
    low, high = sizes[0], sizes[-1]
    ratio_head = f"{size_label(high)} ÷ {size_label(low)}"
    head = ["page", *(f"p95 ms at {size_label(k)}" for k in sizes), ratio_head, "goal ≤ 1.5×"]
    lines = [
        "## Growth\n",
        "Each page's p95 at every size measured, and the largest size's over the smallest's.\n",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    names = list(dict.fromkeys(n for k in sizes for n in p95s[k]))
    for name in names:
        if name.startswith("health"):
            continue
        values = [p95s[k].get(name) for k in sizes]
        ratio = values[-1] / values[0] if values[0] and values[-1] else None
        mark = "–" if ratio is None else ("**PASS**" if ratio <= GROWTH_MAX else "**FAIL**")
        cells = [name, *(_n(v, 1) for v in values), _n(ratio, 2), mark]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def benchmarks_doc_write(
    results: list[PageResult],
    *,
    size: int,
    requests_count: int,
    clients: int,
    workers: int,
    budget: Budget,
    load: str = "",
    path: Path = DOC_PATH,
) -> None:
    """docs/benchmarks.md: the intro (kept as edited), one section per size (this run's
    replacing the last one at this size), the growth table."""
    intro, sections = DOC_INTRO, {}
    if path.exists():
        text = path.read_text()
        if RESULTS_START in text:
            intro = text.split(RESULTS_START, 1)[0].rstrip() + "\n"
        sections = _sections(text)
    sections[size] = section_markdown(
        results,
        size=size,
        requests_count=requests_count,
        clients=clients,
        workers=workers,
        budget=budget,
        load=load,
    )
    body = "\n".join(sections[k] for k in sorted(sections))
    growth = growth_markdown(sections)
    path.write_text(f"{intro}\n{RESULTS_START}\n{body}" + (f"\n{growth}" if growth else ""))


def category_search_score(*, markdown: bool = False) -> str:
    """Issue 12's goal: the demo city's written phrasings (data/cities/<city>/
    search-phrasings.toml) finding their category in the search's top TOP, per language."""
    lines = []
    for score in phrasings_score(pack=CITY_DIR):
        mark = "PASS" if score.share >= SEARCH_GOAL else "FAIL"
        if markdown:
            mark = f"**{mark}**"
        lines.append(
            f"category search, {score.language}: {score.found}/{score.total} written phrasings "
            f"({score.share:.1%}) find their category in the top {TOP}, goal ≥ "
            f"{SEARCH_GOAL:.0%}: {mark}"
        )
    return ("\n\n" if markdown else "\n").join(lines)
