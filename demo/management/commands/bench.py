"""`make bench`: time the hot paths on a large database, and with --http every page over HTTP
(see demo.bench and demo.bench_http)."""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand, CommandParser

from demo.bench import Bench
from demo.bench_http import Budget


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
        )
