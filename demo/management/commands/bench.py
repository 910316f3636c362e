"""`make bench`: time the hot paths on a large database (see demo.bench)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from demo.bench import Bench


class Command(BaseCommand):
    help = "Time the hot paths on a large database (seeds one if needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--requests", type=int, default=1_000_000)
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument(
            "--due", type=int, default=100, help="Requests due in the escalation sweep cases."
        )
        parser.add_argument(
            "--only-escalations", action="store_true", help="Time only the escalation sweep."
        )

    def handle(
        self, *args, requests: int, runs: int, due: int, only_escalations: bool, **options
    ) -> None:
        Bench(stdout=self.stdout).run(
            requests=requests, runs=runs, due=due, only_escalations=only_escalations
        )
