"""Load the demo city: its definitions, areas, addresses, staff logins and a year of requests.

    manage.py seed_demo                      # definitions + 3,000 requests with their histories
    manage.py seed_demo --if-empty           # only when there are no requests yet (for `make run`)
    manage.py seed_demo --reset --requests 1000000 --seed 7

The work is in demo.seed (steps in its docstring). Demo only: it creates a superuser with a
published password.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from demo.seed import demo_seed


class Command(BaseCommand):
    help = "Load the demo city (definitions, areas, addresses, logins) and generate requests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--requests", type=int, default=3000, help="How many (default 3000)")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if any request exists"
        )
        parser.add_argument("--seed", type=int, default=None, help="Random seed")
        parser.add_argument(
            "--reset", action="store_true", help="Delete every request (and its events) first"
        )

    def handle(self, *args, **options) -> None:
        demo_seed(
            requests=options["requests"],
            if_empty=options["if_empty"],
            seed=options["seed"],
            reset=options["reset"],
            stdout=self.stdout,
            verbosity=options["verbosity"],
        )
