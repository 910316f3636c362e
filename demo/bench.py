"""Benchmarks on a large database: `make bench` (not part of the test suite or CI).

1. Make sure the database holds at least `requests` requests (seed_demo with COPY when it holds
   fewer; an existing big database is reused).
2. Time each operation `runs` times, inside a transaction that is rolled back, and print the
   median and 95th percentile in milliseconds.
3. The escalation sweep, inside one transaction rolled back at the end: a city-wide policy
   (75 % of the resolution target → supervisors; 100 % → priority up and the department head),
   every open request given a next escalation time in the coming week, then the sweep timed with
   nothing due, with `due` requests at their 75 % warning and with `due` overdue requests (their
   warning already sent) breaching. Each run gets a fresh batch of requests (a new minute's work),
   so no run re-reads rows an earlier run changed.
4. With `http`: every page over HTTP against gunicorn, the report POST and the mixed load test
   (demo.bench_run), printed as a table against issue 11's goals and recorded in
   docs/benchmarks.md.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TextIO

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import DateTimeField, ExpressionWrapper, F
from django.utils import timezone

from demo import bench_http
from demo.bench_run import HttpBench, LoadOptions
from demo.seed import demo_seed
from requests_app.models import Department, ServiceRequest, Status
from requests_app.permissions import staff_profile
from requests_app.selectors import PublicFilters, request_public_list
from requests_app.services.due import request_due_times
from routing.escalations import OPEN_STATUS_VALUES, escalations_sweep
from routing.models import EscalationFired, EscalationPolicy, EscalationStep
from routing.services import request_route_default
from routing.tasks import SWEEP_BUDGET_SECONDS
from staff.selectors import QueueFilters, QueueScope, queue_counters, queue_page

SEED = 7  # the same requests picked on every run of the benchmarks
STAFF_DEPARTMENT = "public-works-streets"  # the supervisor demo login's department


class Rollback(Exception):
    pass


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run the block in a transaction and undo all of it."""
    try:
        with transaction.atomic():
            yield
            raise Rollback
    except Rollback:
        pass


def elapsed_ms[T](fn: Callable[[], T]) -> tuple[float, T]:
    """(milliseconds fn took, its result)."""
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds per run, each run rolled back (the rollback counted too, as before)."""

    def once() -> None:
        with rolled_back():
            fn()

    return [elapsed_ms(once)[0] for _ in range(runs)]


class Bench:
    def __init__(self, *, stdout: TextIO) -> None:
        self.stdout = stdout

    def run(
        self,
        *,
        requests: int,
        runs: int,
        due: int,
        only_escalations: bool,
        http: bool = False,
        http_budget: bench_http.Budget | None = None,
        workers: int = 4,
        load: LoadOptions | None = None,
    ) -> None:
        """Steps in the module docstring."""
        have = ServiceRequest.objects.count()
        if have < requests:
            self.stdout.write(f"Seeding {requests:,} requests (found {have:,})...")
            demo_seed(
                requests=requests,
                if_empty=False,
                seed=None,
                reset=True,
                stdout=self.stdout,
                verbosity=1,
            )
        total = ServiceRequest.objects.count()
        cases = [] if only_escalations else self._cases()
        self.stdout.write(f"\n{total:,} requests; {runs} runs each\n")
        self.stdout.write(f"{'operation':<32} {'median ms':>10} {'p95 ms':>10}")
        for name, fn in cases:
            try:
                samples = timed(fn, runs)
            except Exception as exc:
                self.stdout.write(f"{name:<32} failed: {exc}")
                continue
            self._report(name, samples)
        try:
            self._escalations(runs=runs, due=due)
        except Exception as exc:
            self.stdout.write(f"{'escalation sweep':<32} failed: {exc}")
        if http:
            HttpBench(stdout=self.stdout).run(
                size=requests,
                requests_count=total,
                budget=http_budget or bench_http.Budget(),
                workers=workers,
                load=load,
            )

    def _cases(self) -> list[tuple[str, Callable[[], object]]]:
        """The hot paths (step 2): (name, one run)."""
        rng = random.Random(SEED)
        open_ids = list(
            ServiceRequest.objects.filter(status=Status.IN_QUEUE).values_list("id", flat=True)[
                :5000
            ]
        )
        streets = Department.objects.filter(requests__status=Status.IN_QUEUE).first()

        def due_one() -> None:
            request_due_times(request=ServiceRequest.objects.get(pk=rng.choice(open_ids)))

        def route_one() -> None:
            sr = ServiceRequest.objects.get(pk=rng.choice(open_ids))
            ServiceRequest.objects.filter(pk=sr.pk).update(status=Status.RECEIVED)
            request_route_default(request_id=sr.pk)

        def public_page() -> None:
            request_public_list(filters=PublicFilters(status="open", page=rng.randint(1, 50)))

        def staff_queue() -> None:
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

        return [
            ("routing one request", route_one),
            ("due dates for one request", due_one),
            ("public list page (open)", public_page),
            ("staff queue page + counters", staff_queue),
        ]

    def _report(self, name: str, samples: list[float], note: str = "") -> None:
        samples = sorted(samples)
        p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
        line = f"{name:<32} {statistics.median(samples):>10.1f} {p95:>10.1f}"
        self.stdout.write(f"{line}  {note}" if note else line)

    def _escalations(self, *, runs: int, due: int) -> None:
        """Time the escalation sweep on the big table (module docstring, step 3)."""
        with rolled_back():
            warn = self._escalations_schedule()
            self._report(
                "sweep, nothing due",
                timed(lambda: escalations_sweep(now=timezone.now()), runs),
                "(one index probe)",
            )
            warned, breached = self._escalations_due(wanted=runs * due, warn=warn)
            ServiceRequest.objects.filter(pk__in=warned[:due]).update(
                next_escalation_at=timezone.now() - timedelta(minutes=5)
            )
            self._report(
                f"sweep selection, {len(warned[:due])} due", timed(self._sweep_selection, runs)
            )
            half = len(breached) // 2
            budget_note = (
                f"the periodic task's sweep: {SWEEP_BUDGET_SECONDS} s budget, the rest left for "
                "the next sweep"
            )
            for label, ids, note, budget in [
                ("warnings due", warned, "75 %: event + email", None),
                ("breaches due", breached[:half], "event, priority up, due dates recomputed", None),
                ("breaches due, budgeted", breached[half:], budget_note, SWEEP_BUDGET_SECONDS),
            ]:
                self._sweeps_timed(f"sweep, {due} {label}", ids, due=due, note=note, budget=budget)

    def _escalations_schedule(self) -> EscalationStep:
        """A city-wide two-step policy, and every open request waiting for a step some time in
        the coming week; returns the warning step."""
        policy = EscalationPolicy.objects.create(name="bench (rolled back)")
        steps = [
            EscalationStep.objects.create(
                policy=policy,
                name=name,
                trigger=EscalationStep.Trigger.TARGET_PERCENT,
                target=EscalationStep.Target.RESOLUTION,
                value=value,
                notify=notify,
                raise_priority=raise_priority,
            )
            for name, value, notify, raise_priority in (
                ("75%", 75, EscalationStep.Notify.SUPERVISORS, False),
                ("breach", 100, EscalationStep.Notify.DEPARTMENT_HEAD, True),
            )
        ]
        table = ServiceRequest._meta.db_table
        with connection.cursor() as cursor:
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
        return steps[0]

    def _escalations_due(self, *, wanted: int, warn: EscalationStep) -> tuple[list[int], list[int]]:
        """Up to `wanted` open requests past 75 % of their resolution time but not overdue, and
        as many overdue ones with their warning recorded as sent (only the breach step fires)."""
        now = timezone.now()
        open_routed = ServiceRequest.objects.filter(
            status__in=OPEN_STATUS_VALUES, department__isnull=False
        )
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
        breached = list(
            open_routed.filter(expected_at__lt=now)
            .exclude(pk__in=warned)
            .values_list("id", flat=True)[:wanted]
        )
        EscalationFired.objects.bulk_create(
            EscalationFired(request_id=pk, step=warn) for pk in breached
        )
        return warned, breached

    def _sweep_selection(self) -> None:
        list(
            ServiceRequest.objects.filter(
                status__in=OPEN_STATUS_VALUES, next_escalation_at__lte=timezone.now()
            )
            .order_by("next_escalation_at")
            .values_list("id", flat=True)[:500]
        )

    def _sweeps_timed(
        self, name: str, ids: list[int], *, due: int, note: str, budget: float | None
    ) -> None:
        """One sweep per batch of `due` requests made due just before it (not rolled back in
        between: each batch is new work)."""
        samples, steps = [], []
        for start in range(0, len(ids), due):
            batch = ids[start : start + due]
            ServiceRequest.objects.filter(pk__in=batch).update(
                next_escalation_at=timezone.now() - timedelta(minutes=5)
            )
            ms, fired = elapsed_ms(
                lambda: escalations_sweep(now=timezone.now(), budget_seconds=budget)
            )
            samples.append(ms)
            steps.append(fired)
        if samples:
            self._report(
                name,
                samples,
                f"({note}; {statistics.median(steps):g} steps a run, {len(samples)} runs)",
            )
