"""Load the demo city's routing set-up (see demo.routing_seed). Idempotent: run on every start."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from demo.routing_seed import routing_seed


class Command(BaseCommand):
    help = "Load the demo routing set-up: crews, rules, escalations, scoring, assets (idempotent)."

    def handle(self, *args, **options) -> None:
        routing_seed(stdout=self.stdout)
