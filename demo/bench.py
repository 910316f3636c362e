"""Benchmarks on a large database: `make bench` (not part of the test suite or CI).

1. Make sure the database holds at least `requests` requests (seed_demo with COPY when it holds
   fewer; an existing big database is reused).
2. Time each operation `runs` times, inside a transaction that is rolled back, and print the
   median and 95th percentile in milliseconds: among them a report POST through the Django test
   client (the resident's form, no photo) and through the submission service alone, and the
   worker's follow-up of one new request end to end (every event it leads to dispatched to
   every handler, in the order written, as the workers would), with its query count.
3. The escalation sweep, inside one transaction rolled back at the end: a city-wide policy
   (75 % of the resolution target → supervisors; 100 % → priority up and the department head),
   every open request given a next escalation time in the coming week, then the sweep timed with
   nothing due, with `due` requests at their 75 % warning and with `due` overdue requests (their
   warning already sent) breaching. Each run gets a fresh batch of requests (a new minute's work),
   so no run re-reads rows an earlier run changed. Then one warning step and one breach step
   alone (request_escalations_run on one due request), per request.
4. With `http`: every page over HTTP against gunicorn, the report POST and the mixed load test
   (demo.bench_run), printed as a table against issue 11's goals and recorded in
   docs/benchmarks.md.
"""

from __future__ import annotations

import logging
import random
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import TextIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import DateTimeField, ExpressionWrapper, F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from demo import bench_http
from demo.bench_report import category_search_score
from demo.bench_run import HttpBench, LoadOptions
from demo.bench_sql import rolled_back
from demo.bench_submit import bench_intake_limits
from demo.paths import CITY_DIR
from demo.seed import demo_seed
from notifications.models import MessagingSettings, StaffPreference
from requests_app.citypack import citypack_load
from requests_app.configcache import config_snapshot
from requests_app.forms import form_started_token
from requests_app.models import (
    Category,
    Department,
    IntakeSettings,
    RequestEvent,
    ServiceRequest,
    Status,
)
from requests_app.permissions import staff_profile
from requests_app.selectors import PublicFilters, request_public_list
from requests_app.services import Reporter, Submission, request_submit
from requests_app.services.due import request_due_times
from requests_app.tasks import event_dispatch
from routing.escalations import (
    OPEN_STATUS_VALUES,
    Lookups,
    escalations_sweep,
    request_escalations_run,
)
from routing.models import EscalationFired, EscalationPolicy, EscalationStep
from routing.scoring import scoring_settings
from routing.services import request_route_default
from routing.tasks import SWEEP_BUDGET_SECONDS
from staff.selectors import QueueFilters, QueueScope, queue_counters, queue_page
from staff.tasks import queue_tally_compact

SEED = 7  # the same requests picked on every run of the benchmarks
STAFF_DEPARTMENT = "public-works-streets"  # the supervisor demo login's department


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
        settings_rows_ensure()
        cases = [] if only_escalations else self._cases()
        self.stdout.write(f"\n{total:,} requests; {runs} runs each\n")
        self.stdout.write(f"{'operation':<32} {'median ms':>10} {'p95 ms':>10}")
        # The database keeps the reports earlier runs filed from this machine's address: with
        # the admin's intake limits the report POST case would be refused (429) after a few runs.
        with bench_intake_limits():
            for name, fn in cases:
                try:
                    samples = timed(fn, runs)
                except Exception as exc:
                    self.stdout.write(f"{name:<32} failed: {exc}")
                    continue
                self._report(name, samples)
        if not only_escalations:
            try:
                self._follow_up(runs=runs)
            except Exception as exc:
                self.stdout.write(f"{'worker follow-up':<32} failed: {exc}")
        try:
            self._escalations(runs=runs, due=due)
        except Exception as exc:
            self.stdout.write(f"{'escalation sweep':<32} failed: {exc}")
        if not only_escalations:
            # The bench database is seeded once and reused: bring its categories' wording and
            # synonyms up to the pack's (idempotent, by code) so the score is the pack's.
            citypack_load(CITY_DIR, commit=True, areas=False, addresses=False)
            self.stdout.write("\n" + category_search_score())
        if http:
            # A running site's worker folds the queue counters' tally every five minutes
            # (setup_schedules: queue-tally-compact); the bench database has no worker, so the
            # seed's and earlier runs' rows would pile up unfolded. Fold them as the schedule
            # would (the task itself: fold, then vacuum), so the pages are measured in the state a
            # site is in.
            kept = queue_tally_compact()
            self.stdout.write(f"\nQueue tally folded as the worker's schedule does: {kept:,} rows")
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

        report = ReportPost(rng)

        return [
            ("routing one request", route_one),
            ("due dates for one request", due_one),
            ("public list page (open)", public_page),
            ("staff queue page + counters", staff_queue),
            ("report POST (test client)", report.post),
            ("report submit (service only)", report.submit),
        ]

    def _follow_up(self, *, runs: int) -> None:
        """The worker's follow-up of one new request (module docstring, step 2): filed and its
        "created" event's id found untimed (the task is given it), then every event dispatched
        until none is left, timed and counted."""
        report = ReportPost(random.Random(SEED))
        samples, queries = [], []
        for _ in range(runs):
            with rolled_back():
                request = report.submit()
                # The task is given the event's id: finding it is the bench's work, not timed.
                created = created_event_id(request_id=request.pk)
                with CaptureQueriesContext(connection) as captured:
                    ms, events = elapsed_ms(lambda pk=created: event_dispatch(pk))
                samples.append(ms)
                queries.append(len(captured))
        self._report(
            "worker follow-up, one request",
            samples,
            f"(routing, score, assignment, due dates, escalation schedule, messages; "
            f"{statistics.median(queries):g} queries, {events} events)",
        )

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
            warned, breached = self._escalations_due(wanted=runs * due + runs * 2, warn=warn)
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
            steps = runs * 2
            warned, warned_alone = warned[:-steps] or warned, warned[-steps:]
            breached, breached_alone = breached[:-steps] or breached, breached[-steps:]
            for label, ids, note, budget in [
                ("warnings due", warned, "75 %: event + email", None),
                ("breaches due", breached[:half], "event, priority up, due dates recomputed", None),
                ("breaches due, budgeted", breached[half:], budget_note, SWEEP_BUDGET_SECONDS),
            ]:
                self._sweeps_timed(f"sweep, {due} {label}", ids, due=due, note=note, budget=budget)
            self._steps_timed("one warning step", warned_alone)
            self._steps_timed("one breach step", breached_alone)

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
            # clock_timestamp(), not now(): now() is when the transaction began, and at 10M this
            # UPDATE alone takes over a minute, so "now() + 1 minute" left the first rows already
            # due and the "nothing due" sweep escalated them (913 ms a run). An hour's margin
            # keeps every row in the future while the cases run.
            spread = (
                f"UPDATE {table} SET next_escalation_at = clock_timestamp() "  # noqa: S608
                "+ interval '1 hour' + random() * interval '7 days' WHERE status = ANY(%s)"
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

    def _steps_timed(self, name: str, ids: list[int]) -> None:
        """One request's escalation run at a time (each request due for one step), as a sweep
        runs it: one stamp read and one Lookups for the batch."""
        samples, queries, fired = [], [], 0
        lookups = Lookups()
        now = timezone.now()
        with config_snapshot():
            for pk in ids:
                with CaptureQueriesContext(connection) as captured:
                    ms, count = elapsed_ms(
                        lambda pk=pk: request_escalations_run(
                            request_id=pk, now=now, lookups=lookups
                        )
                    )
                samples.append(ms)
                queries.append(len(captured))
                fired += count
        if samples:
            self._report(
                name,
                samples,
                f"({fired} fired in {len(samples)} runs; {statistics.median(queries):g} queries)",
            )


def settings_rows_ensure() -> None:
    """Create the one-row settings and the staff's preferences a running city already has
    (each is created with its defaults on first use). Without them every rolled-back run would
    create them again, and each creation changes the config stamp, so the timed runs would also
    reload every per-process copy: a cost a running city pays once, not per request."""
    scoring_settings()
    IntakeSettings.load()
    MessagingSettings.load()
    for user in get_user_model().objects.filter(is_active=True, staff_profile__isnull=False):
        StaffPreference.objects.get_or_create(user=user)


def created_event_id(*, request_id: int) -> int:
    """The id of a request's "created" event: what its worker task is given."""
    return (
        RequestEvent.objects.filter(request_id=request_id, type=RequestEvent.Type.CREATED)
        .values_list("id", flat=True)
        .get()
    )


def follow_up_run(*, request_id: int) -> int:
    """What the worker does for a new request: one task for its "created" event, which handles
    every event the handlers write too (requests_app.tasks.event_dispatch); returns how many
    events it handled."""
    return event_dispatch(created_event_id(request_id=request_id))


class ReportPost:
    """A resident's report with no photo, in a category without required questions, at the
    place of an existing request: through the form (the test client) or the service alone."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.category = (
            Category.objects.filter(active=True, online_submission_allowed=True)
            .exclude(questions__required=True)
            .order_by("pk")
            .first()
        )
        self.places = list(
            ServiceRequest.objects.filter(category=self.category).values_list(
                "location", flat=True
            )[:500]
        )
        hosts = [h for h in settings.ALLOWED_HOSTS if h and h[0] not in ".*"]
        self.client = Client(
            HTTP_HOST=hosts[0] if hosts else "localhost", secure=settings.SECURE_SSL_REDIRECT
        )

    def _place(self):
        return self.rng.choice(self.places)

    def post(self) -> None:
        point = self._place()
        # The request log's line per POST would bury the table.
        log = logging.getLogger("civic311.request")
        was, log.disabled = log.disabled, True
        try:
            response = self._post(point)
        finally:
            log.disabled = was
        if response.status_code != 302:
            raise RuntimeError(f"report POST answered {response.status_code}, not 302")

    def _post(self, point):
        return self.client.post(
            reverse("requests_app:report"),
            {
                "idempotency_key": str(uuid.uuid4()),
                "category": self.category.pk,
                "latitude": f"{point.y:.6f}",
                "longitude": f"{point.x:.6f}",
                "description": "Bench report: a deep pothole in the right lane.",
                "name": "Bench Resident",
                "email": "bench-resident@example.com",
                "contact_method": "email",
                "language": "en",
                "action": "submit",
                "started": form_started_token(at=time.time() - 60),
            },
        )

    def submit(self) -> ServiceRequest:
        request, _created = request_submit(
            submission=Submission(
                category=self.category,
                description="Bench report: a deep pothole in the right lane.",
                location=self._place(),
                reporter=Reporter(
                    name="Bench Resident",
                    email="bench-resident@example.com",
                    contact_method="email",
                    anonymous=False,
                ),
                idempotency_key=uuid.uuid4(),
            )
        )
        return request
