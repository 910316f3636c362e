"""Benchmarks on a large database: `make bench` (not part of the test suite or CI).

1. Make sure the database holds at least --requests requests (seed_demo with COPY when it holds
   fewer; an existing big database is reused).
2. Time each operation --runs times, inside a transaction that is rolled back, and print the
   median and 95th percentile in milliseconds.
3. The escalation sweep, inside one transaction rolled back at the end: a city-wide policy
   (75 % of the resolution target → supervisors; 100 % → priority up and the department head),
   every open request given a next escalation time in the coming week, then the sweep timed with
   nothing due, with --due requests at their 75 % warning and with --due overdue requests (their
   warning already sent) breaching. Each run gets a fresh batch of requests (a new minute's work),
   so no run re-reads rows an earlier run changed.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import DateTimeField, ExpressionWrapper, F
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
        parser.add_argument(
            "--due", type=int, default=100, help="Requests due in the escalation sweep cases."
        )
        parser.add_argument(
            "--only-escalations", action="store_true", help="Time only the escalation sweep."
        )

    def handle(
        self, *args, requests: int, runs: int, due: int, only_escalations: bool, **options
    ) -> None:
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

            from requests_app.permissions import staff_profile
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
        if only_escalations:
            cases = []
        self.stdout.write(f"\n{total:,} requests; {runs} runs each\n")
        self.stdout.write(f"{'operation':<32} {'median ms':>10} {'p95 ms':>10}")
        for name, fn in cases:
            try:
                samples = sorted(timed(fn, runs))
            except Exception as exc:
                self.stdout.write(f"{name:<32} failed: {exc}")
                continue
            self._report(name, samples)
        try:
            self._escalations(runs=runs, due=due)
        except Exception as exc:
            self.stdout.write(f"{'escalation sweep':<32} failed: {exc}")

    def _report(self, name: str, samples: list[float], note: str = "") -> None:
        samples = sorted(samples)
        p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
        line = f"{name:<32} {statistics.median(samples):>10.1f} {p95:>10.1f}"
        self.stdout.write(f"{line}  {note}" if note else line)

    def _escalations(self, *, runs: int, due: int) -> None:
        """Time the escalation sweep on the big table (module docstring, step 3)."""
        from routing.escalations import OPEN_STATUS_VALUES, escalations_sweep
        from routing.models import EscalationFired, EscalationPolicy, EscalationStep

        table = ServiceRequest._meta.db_table
        fired: list[int] = []

        def selection() -> None:
            list(
                ServiceRequest.objects.filter(
                    status__in=OPEN_STATUS_VALUES, next_escalation_at__lte=timezone.now()
                )
                .order_by("next_escalation_at")
                .values_list("id", flat=True)[:500]
            )

        def sweep() -> None:
            fired.append(escalations_sweep(now=timezone.now()))

        try:
            with transaction.atomic():
                policy = EscalationPolicy.objects.create(name="bench (rolled back)")
                warn = EscalationStep.objects.create(
                    policy=policy,
                    name="75%",
                    trigger=EscalationStep.Trigger.TARGET_PERCENT,
                    target=EscalationStep.Target.RESOLUTION,
                    value=75,
                    notify=EscalationStep.Notify.SUPERVISORS,
                )
                EscalationStep.objects.create(
                    policy=policy,
                    name="breach",
                    trigger=EscalationStep.Trigger.TARGET_PERCENT,
                    target=EscalationStep.Target.RESOLUTION,
                    value=100,
                    notify=EscalationStep.Notify.DEPARTMENT_HEAD,
                    raise_priority=True,
                )
                with connection.cursor() as cursor:
                    # Every open request waits for a step some time in the coming week.
                    spread = (
                        f"UPDATE {table} SET next_escalation_at = now() + interval '1 minute' "  # noqa: S608
                        "+ random() * interval '7 days' WHERE status = ANY(%s)"
                    )
                    cursor.execute(spread, [OPEN_STATUS_VALUES])
                    scheduled = cursor.rowcount
                    cursor.execute(f"ANALYZE {table}")
                self.stdout.write(
                    f"\nescalations: {scheduled:,} open requests scheduled (rolled back after)"
                )
                self._report("sweep, nothing due", timed(sweep, runs), "(one index probe)")

                now = timezone.now()
                open_routed = ServiceRequest.objects.filter(
                    status__in=OPEN_STATUS_VALUES, department__isnull=False
                )
                wanted = runs * due
                # Past three quarters of the resolution time, not yet overdue.
                warned = list(
                    open_routed.alias(
                        at75=ExpressionWrapper(
                            F("created_at") + (F("expected_at") - F("created_at")) * 0.75,
                            output_field=DateTimeField(),
                        )
                    )
                    .filter(expected_at__gt=now, at75__lte=now)
                    .values_list("id", flat=True)[:wanted]
                )
                # Overdue with the warning already sent: only the breach step fires.
                breached = list(
                    open_routed.filter(expected_at__lt=now)
                    .exclude(pk__in=warned)
                    .values_list("id", flat=True)[:wanted]
                )
                EscalationFired.objects.bulk_create(
                    EscalationFired(request_id=pk, step=warn) for pk in breached
                )
                ServiceRequest.objects.filter(pk__in=warned[:due]).update(
                    next_escalation_at=now - timedelta(minutes=5)
                )
                self._report(f"sweep selection, {len(warned[:due])} due", timed(selection, runs))
                from routing.tasks import SWEEP_BUDGET_SECONDS

                half = len(breached) // 2
                for label, ids, note, budget in [
                    ("warnings due", warned, "75 %: event + email", None),
                    (
                        "breaches due",
                        breached[:half],
                        "event, priority up, due dates recomputed",
                        None,
                    ),
                    (
                        "breaches due, budgeted",
                        breached[half:],
                        f"the periodic task's sweep: {SWEEP_BUDGET_SECONDS} s budget, the rest "
                        "left for the next sweep",
                        SWEEP_BUDGET_SECONDS,
                    ),
                ]:
                    samples, steps = [], []
                    for start in range(0, len(ids), due):
                        batch = ids[start : start + due]
                        ServiceRequest.objects.filter(pk__in=batch).update(
                            next_escalation_at=timezone.now() - timedelta(minutes=5)
                        )
                        began = time.perf_counter()
                        steps.append(escalations_sweep(now=timezone.now(), budget_seconds=budget))
                        samples.append((time.perf_counter() - began) * 1000)
                    if samples:
                        self._report(
                            f"sweep, {due} {label}",
                            samples,
                            f"({note}; {statistics.median(steps):g} steps a run, "
                            f"{len(samples)} runs)",
                        )
                raise Rollback
        except Rollback:
            pass
