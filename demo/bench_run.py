"""The HTTP part of `make bench`, in order (each step's module says how it measures):

1. Pick the pages' subjects: a random open public request to track, an open request of the
   staff login's department (demo.bench_http.pages_default).
2. With the database's intake limits raised for the run (demo.bench_submit), start gunicorn
   with production settings and measure every page: 1 client, 50 clients, its own SQL
   (demo.bench_http, demo.bench_sql).
3. The report POST through the real form, 1 client then 50 (demo.bench_submit); the
   confirmation page of the last report as a page like the others; every submission the
   server acknowledged must be in the database.
4. The mixed load test at each number of users (demo.bench_load), against the same server.
5. Print the table with each goal's PASS/FAIL and write this size's section of
   docs/benchmarks.md (demo.bench_report).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from demo import bench_http, bench_load, bench_report, bench_submit
from demo.accounts import DEMO_PASSWORD
from requests_app.models import ServiceRequest
from requests_app.selectors import PublicFilters, request_public_list
from routing.escalations import OPEN_STATUS_VALUES

SEED = 7  # the same requests picked on every run
STAFF_DEPARTMENT = "public-works-streets"  # the supervisor demo login's department


@dataclass(frozen=True)
class LoadOptions:
    users: tuple[int, ...] = (50, 200)
    seconds: int = 60
    think: tuple[float, float] = (1.0, 3.0)


class HttpBench:
    def __init__(self, *, stdout: TextIO) -> None:
        self.stdout = stdout
        self.http_server: bench_http.HttpServer | None = None

    def run(
        self,
        *,
        size: int,
        requests_count: int,
        budget: bench_http.Budget,
        workers: int,
        load: LoadOptions | None,
    ) -> list[bench_http.PageResult]:
        """Step 1, then the rest (http_pages)."""
        rng = random.Random(SEED)
        open_public, _ = request_public_list(
            filters=PublicFilters(status="open", page=rng.randint(1, 5))
        )
        staff_open = list(
            ServiceRequest.objects.filter(
                department__slug=STAFF_DEPARTMENT, status__in=OPEN_STATUS_VALUES
            )
            .order_by("-id")
            .values_list("tracking_number", flat=True)[:400]
        )
        if not open_public or not staff_open:
            self.stdout.write("\nHTTP: no open request to track; seed the database first.")
            return []
        pages = bench_http.pages_default(
            tracking_number=rng.choice(open_public).tracking_number,
            staff_tracking_number=rng.choice(staff_open),
        )
        return self.http_pages(
            pages,
            size=size,
            requests_count=requests_count,
            budget=budget,
            workers=workers,
            report=bench_submit.report_plan(),
            load=load,
            tracking_numbers=[sr.tracking_number for sr in open_public],
            staff_tracking_numbers=staff_open,
        )

    def http_pages(
        self,
        pages: list[bench_http.Page],
        *,
        size: int,
        requests_count: int,
        budget: bench_http.Budget,
        workers: int,
        settings_module: str = "civic311.settings",
        doc_path: Path = bench_report.DOC_PATH,
        report: bench_submit.ReportPlan | None = None,
        load: LoadOptions | None = None,
        tracking_numbers: list[str] | None = None,
        staff_tracking_numbers: list[str] | None = None,
    ) -> list[bench_http.PageResult]:
        """Steps 2-5 (module docstring); returns the table's rows."""
        self.stdout.write(
            f"\nHTTP: gunicorn, {workers} sync workers; 1 client and {budget.clients} clients, "
            f"at most {budget.seconds:g} s each"
        )
        started = time.monotonic()
        load_results: list[bench_load.LoadResult] = []
        with (
            bench_submit.bench_intake_limits(),
            bench_http.HttpServer(workers=workers, settings_module=settings_module) as server,
        ):
            self.http_server = server
            self.stdout.write(bench_http.results_header(budget.clients))
            results = bench_http.http_bench(
                pages=pages,
                budget=budget,
                password=DEMO_PASSWORD,
                server=server,
                stdout=self.stdout,
            )
            if report is not None:
                results += self._submit(server, report, budget)
            bench_http.results_relate(results)
            if load is not None and report is not None and load.users:
                load_results = bench_load.load_test(
                    base_url=server.base_url,
                    password=DEMO_PASSWORD,
                    report=report,
                    tracking_numbers=tracking_numbers or [],
                    staff_tracking_numbers=staff_tracking_numbers or [],
                    users=list(load.users),
                    seconds=load.seconds,
                    think=load.think,
                    stdout=self.stdout,
                )
        self.stdout.write(
            f"\nHTTP part: {time.monotonic() - started:.0f} s\n"
            + bench_report.results_text(results, clients=budget.clients)
        )
        bench_report.benchmarks_doc_write(
            results,
            size=size,
            requests_count=requests_count,
            clients=budget.clients,
            workers=workers,
            budget=budget,
            load=(bench_load.load_markdown(load_results, think=load.think) if load else "")
            + "\n\n"
            + bench_report.category_search_score(markdown=True),
            path=doc_path,
        )
        self.stdout.write(f"\nWritten to {doc_path}")
        return results

    def _submit(
        self, server: bench_http.HttpServer, report: bench_submit.ReportPlan, budget
    ) -> list[bench_http.PageResult]:
        """Step 3: the POST's row and the confirmation page's."""
        post, made = bench_submit.submit_measure(server.base_url, report, budget)
        post.sql_queries, post.sql_p50, post.sql_error = bench_submit.report_post_sql(report)
        tokens = {s.token for s in made}
        found = ServiceRequest.objects.filter(private_token__in=tokens).count()
        if found != len(tokens) and not post.error:
            post.error = f"{len(tokens) - found} of {len(tokens)} acknowledged reports are missing"
        rows = [post]
        self.stdout.write(f"  {bench_http.results_row(post)}  ({found:,} reports filed and found)")
        if made:
            page = bench_submit.confirmation_page(made[-1].token)
            confirm = bench_http.page_measure(server.base_url, page, {}, budget)
            if not confirm.error:
                confirm.sql_queries, confirm.sql_p50, confirm.sql_error = bench_http.page_sql(
                    page, seconds=budget.seconds
                )
            rows.append(confirm)
            self.stdout.write(f"  {bench_http.results_row(confirm)}")
        return rows
