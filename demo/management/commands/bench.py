"""`make bench`: time the hot paths on a large database, and with --http every page over HTTP,
the report POST and the mixed load test (see demo.bench and demo.bench_run)."""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand, CommandParser

from demo.bench import Bench
from demo.bench_http import Budget
from demo.bench_run import LoadOptions


class Command(BaseCommand):
    help = "Time the hot paths on a large database (seeds one if needed); --http: every page."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--requests", type=int, default=1_000_000)
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument(
            "--due", type=int, default=100, help="Requests due in the escalation sweep cases."
        )
        parser.add_argument(
            "--only-escalations", action="store_true", help="Time only the escalation sweep."
        )
        parser.add_argument(
            "--http",
            action=argparse.BooleanOptionalAction,
            default=False,
            help="Also measure every page over HTTP (gunicorn + ab) and write docs/benchmarks.md.",
        )
        parser.add_argument("--http-seconds", type=float, default=Budget.seconds)
        parser.add_argument("--http-sequential", type=int, default=Budget.sequential)
        parser.add_argument("--http-concurrent", type=int, default=Budget.concurrent)
        parser.add_argument("--http-clients", type=int, default=Budget.clients)
        parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
        parser.add_argument(
            "--load",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="With --http, also the mixed load test (locust).",
        )
        parser.add_argument(
            "--load-users",
            type=int,
            nargs="+",
            default=list(LoadOptions.users),
            help="Concurrent users of the mixed load test, one run each (default 50 200).",
        )
        parser.add_argument(
            "--load-seconds", type=int, default=LoadOptions.seconds, help="Seconds per run."
        )
        parser.add_argument(
            "--load-think",
            type=float,
            nargs=2,
            default=list(LoadOptions.think),
            metavar=("MIN", "MAX"),
            help="Seconds each user waits between actions (default 1 3).",
        )

    def handle(self, *args, **options) -> None:
        budget = Budget(
            sequential=options["http_sequential"],
            concurrent=options["http_concurrent"],
            clients=options["http_clients"],
            seconds=options["http_seconds"],
        )
        Bench(stdout=self.stdout).run(
            requests=options["requests"],
            runs=options["runs"],
            due=options["due"],
            only_escalations=options["only_escalations"],
            http=options["http"],
            http_budget=budget,
            workers=options["workers"],
            load=LoadOptions(
                users=tuple(options["load_users"]),
                seconds=options["load_seconds"],
                think=tuple(options["load_think"]),
            )
            if options["load"]
            else None,
        )
