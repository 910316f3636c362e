"""`manage.py bench --http` in miniature: gunicorn started on the test database, three pages
(one signed in) measured with tiny request counts, the table written, and gunicorn gone after."""

from __future__ import annotations

import os
import re
import shutil
from io import StringIO

import pytest
from django.core.management import call_command

from demo.bench_http import (
    Budget,
    HttpServer,
    Page,
    PageResult,
    http_bench,
    percentile,
)
from demo.bench_report import results_markdown
from demo.bench_run import HttpBench

pytestmark = pytest.mark.skipif(not shutil.which("ab"), reason="needs ab (apache2-utils)")

TINY = Budget(sequential=8, concurrent=20, clients=4, seconds=1, warmup=2)
PAGES = [
    Page("health (baseline)", "/health/"),
    Page("home", "/"),
    Page("staff queue + counters", "/staff/", staff=True),
    # As the queue's script polls: If-None-Match with the last ETag, so mostly 304s.
    Page(
        "queue refresh, ETag (mostly 304)",
        "/staff/",
        {"HX-Request": "true", "HX-Target": "queue-rows"},
        staff=True,
        conditional=True,
    ),
]


def _gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


# The server is another process: the data it reads must be committed (transaction=True), and it
# runs the test settings (their password hasher signed the demo logins in).
@pytest.mark.django_db(transaction=True)
def test_pages_are_measured_over_http_the_table_is_written_and_gunicorn_is_stopped(tmp_path):
    call_command("seed_demo", requests=30, seed=3, stdout=StringIO())
    out = StringIO()
    doc = tmp_path / "benchmarks.md"
    bench = HttpBench(stdout=out)
    results = bench.http_pages(
        PAGES,
        size=30,
        requests_count=30,
        budget=TINY,
        workers=2,
        settings_module="civic311.test_settings",
        doc_path=doc,
    )

    assert [r.error for r in results] == ["", "", "", ""], out.getvalue()
    for r in results:
        assert 0 < r.p50 <= r.p95 <= r.p99
        assert r.rps > 0 and r.share > 0
        assert r.samples == TINY.sequential and r.concurrent > 0
    assert results[0].share == 1 and results[0].beside_rps is None
    # Every other page's share is against /health/ measured beside it, not the first row's.
    for r in results[1:]:
        assert r.beside_rps > 0 and r.share == pytest.approx(r.rps / r.beside_rps)
    text = doc.read_text()
    assert "make bench ARGS='--requests 100000'" in text
    assert "database: 30 requests" in text
    rows = [line for line in text.splitlines() if line.startswith("| staff queue + counters")]
    assert len(rows) == 1
    # page | p50 | p95 | p99 | req/s | p50 ÷ health | share | health beside | own SQL (queries)
    # | goal | requests
    number = r"[\d.,]+"
    assert re.fullmatch(
        rf"\| .+ \| {number} \| {number} \| {number} \| {number} \| {number} \| {number} "
        rf"\| {number} "
        rf"\| {number} \(\d+ q\) \| \*\*(PASS|FAIL)\*\*.* \| [\d,]+ / [\d,]+ \|",
        rows[0],
    )
    # Each page's own SQL was captured and replayed: the staff queue runs queries, /health/ none.
    assert results[2].sql_queries > 0 and results[2].sql_p50 > 0, results[2].sql_error
    assert results[0].sql_queries == 0
    # The conditional refresh's SQL is the 304's: fewer queries than the full page.
    assert 0 < results[3].sql_queries < results[2].sql_queries, results[3].sql_error
    assert "staff queue + counters" in out.getvalue()
    assert _gone(bench.http_server.pgid), "gunicorn (or a worker) was left running"


@pytest.mark.django_db(transaction=True)
def test_a_failed_sign_in_or_a_redirect_to_it_is_reported_as_a_failure_never_as_fast():
    call_command("seed_demo", requests=5, seed=3, stdout=StringIO())
    pages = [
        Page("health (baseline)", "/health/"),
        Page("queue without the cookie", "/staff/"),
        Page("queue, wrong password", "/staff/", staff=True),
    ]
    with HttpServer(workers=1, settings_module="civic311.test_settings") as server:
        results = http_bench(pages=pages, budget=TINY, password="not-the-password", server=server)
    assert _gone(server.pgid)
    assert results[0].error == ""
    assert "to the sign-in page: the session cookie failed" in results[1].error
    assert "sign-in as 'supervisor' failed" in results[2].error
    assert results[1].rps is None and results[2].rps is None


def test_a_failure_shows_in_the_table():
    failed = PageResult(PAGES[2], error="HTTP 302 to the sign-in page: the session cookie failed")
    table = results_markdown([failed], clients=50)
    assert "**failed**: HTTP 302 to the sign-in page" in table


def test_percentiles_are_nearest_rank():
    samples = [float(n) for n in range(1, 101)]
    assert (percentile(samples, 50), percentile(samples, 95), percentile(samples, 99)) == (
        50,
        95,
        99,
    )
    assert percentile([3.0, 1.0], 99) == 3
