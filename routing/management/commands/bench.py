"""Benchmarks on a large database: `make bench` (not part of the test suite or CI).

1. Make sure the database holds at least --requests requests (seed_demo with COPY when it holds
   fewer; an existing big database is reused).
2. Time each operation --runs times, inside a transaction that is rolled back, and print the
   median and 95th percentile in milliseconds.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from requests_app.models import Department, ServiceRequest, Status
from requests_app.selectors import PublicFilters, request_public_list
from requests_app.services.due import request_due_times


class Rollback(Exception):
    pass


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        try:
            with transaction.atomic():
                fn()
                raise Rollback
        except Rollback:
            pass
        samples.append((time.perf_counter() - start) * 1000)
    return samples


class Command(BaseCommand):
    help = "Time the hot paths on a large database (seeds one if needed)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--requests", type=int, default=1_000_000)
        parser.add_argument("--runs", type=int, default=30)

    def handle(self, *args, requests: int, runs: int, **options) -> None:
        have = ServiceRequest.objects.count()
        if have < requests:
            self.stdout.write(f"Seeding {requests:,} requests (found {have:,})...")
            call_command("seed_demo", reset=True, requests=requests)
        total = ServiceRequest.objects.count()
        rng = random.Random(7)
        open_ids = list(
            ServiceRequest.objects.filter(status=Status.IN_QUEUE).values_list("id", flat=True)[
                :5000
            ]
        )
        streets = Department.objects.filter(requests__status=Status.IN_QUEUE).first()

        def due_one() -> None:
            request_due_times(request=ServiceRequest.objects.get(pk=rng.choice(open_ids)))

        def route_one() -> None:
            from routing.services import request_route_default

            sr = ServiceRequest.objects.get(pk=rng.choice(open_ids))
            ServiceRequest.objects.filter(pk=sr.pk).update(status=Status.RECEIVED)
            request_route_default(request_id=sr.pk)

        def public_page() -> None:
            request_public_list(filters=PublicFilters(status="open", page=rng.randint(1, 50)))

        def staff_queue() -> None:
            from django.contrib.auth import get_user_model

            from staff.access import staff_profile
            from staff.selectors import QueueFilters, QueueScope, queue_counters, queue_page

            user = get_user_model().objects.filter(username="supervisor").first()
            profile = staff_profile(user)
            scope = QueueScope(
                filters=QueueFilters(department=streets.pk),
                department=streets,
                department_ids=frozenset({streets.pk}),
            )
            now = timezone.now()
            queue_page(scope=scope, staff=profile, now=now)
            queue_counters(scope=scope, user=user, now=now)

        cases = [
            ("routing one request", route_one),
            ("due dates for one request", due_one),
            ("public list page (open)", public_page),
            ("staff queue page + counters", staff_queue),
        ]
        self.stdout.write(f"\n{total:,} requests; {runs} runs each\n")
        self.stdout.write(f"{'operation':<32} {'median ms':>10} {'p95 ms':>10}")
        for name, fn in cases:
            try:
                samples = sorted(timed(fn, runs))
            except Exception as exc:
                self.stdout.write(f"{name:<32} failed: {exc}")
                continue
            p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
            self.stdout.write(f"{name:<32} {statistics.median(samples):>10.1f} {p95:>10.1f}")
        self.stdout.write(f"{'escalation sweep':<32} {'not built yet (issue 4)':>21}")
