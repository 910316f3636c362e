"""Escalations: reminders and escalation steps that fire when a request sits idle or uses up its
service-level target, each exactly once per request and threshold.

How it fits together:

- ``request_escalation_schedule`` stores on the request when it next needs looking at
  (``next_escalation_at``: the earliest threshold of a step that has not fired yet). The event
  handler calls it after every change that can move a threshold, and a run calls it at its end.
- ``escalations_sweep`` (django-q2 schedule, every minute) reads the open requests whose time has
  come through the partial index ``request_open_escalation`` and runs each.
- ``request_escalations_run`` locks the request (skipping it if another worker holds it), claims
  every due step by inserting an ``EscalationFired`` row (unique on request, step, occurrence) and
  acts in the same transaction: an internal ``escalated`` event saying what happened and who is
  told, then the priority raise and the move to another team through the workflow services.
  The notifications app reads the event and emails the people it lists (routing never imports
  notifications).

Thresholds are wall-clock:

- idle: the start of the current idle stretch + ``value`` hours. The stretch starts at the latest
  of: the last event with a staff actor (any action a person took, acknowledging and assigning
  included), the end of a wait on the resident, the time the request was routed to its current
  department, its receipt. A new stretch is a new occurrence, so the reminder can fire again.
- target_percent: receipt + ``value`` % of the span from receipt to the due time (first action due
  for the response target, resolution due for the resolution target); 100 % is the due time
  itself. Response-target steps stop applying once the request is acknowledged.

Nothing fires while the request waits on the resident (its clock is paused too).
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.postgres.fields import ArrayField
from django.db import connection, transaction
from django.db.models import Max, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from requests_app.configcache import config_cached, config_snapshot
from requests_app.dispatch import after_events, request_shared
from requests_app.models import (
    OPEN_STATUSES,
    Department,
    Priority,
    RequestEvent,
    Role,
    ServiceRequest,
    Status,
    Team,
)
from requests_app.rows import model_columns, row_convert
from requests_app.services import (
    event_record,
    events_batched,
    request_assign,
    request_mark_held,
    request_priority_change,
)
from routing.escalations_writes import ClaimTaken, StepWrites, priority_raise, team_move
from routing.models import EscalationFired, EscalationPolicy, EscalationStep

logger = logging.getLogger(__name__)

ACTOR_LABEL = "Escalation"
OPEN_STATUS_VALUES = sorted(s.value for s in OPEN_STATUSES)
# Lowest to highest: an escalation raises the priority one place along this list.
PRIORITY_BANDS = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]

# Events after which a threshold may have moved. Events with a staff actor always count too (they
# start a new idle stretch). The sweep's own "escalated" events are not here: a run reschedules
# the request itself before it commits.
RESCHEDULE_ON = frozenset(
    {
        RequestEvent.Type.CREATED,
        RequestEvent.Type.ROUTED,
        RequestEvent.Type.ASSIGNED,
        RequestEvent.Type.ACKNOWLEDGED,
        RequestEvent.Type.STATUS_CHANGED,
        RequestEvent.Type.PRIORITY_CHANGED,
        RequestEvent.Type.CATEGORY_CHANGED,
        RequestEvent.Type.DUE_CHANGED,
        RequestEvent.Type.COMMENT,
        RequestEvent.Type.NOTE,
        RequestEvent.Type.ONSITE_ATTEMPT,
        RequestEvent.Type.TRANSFERRED,
        RequestEvent.Type.DUPLICATE_MARKED,
    }
)

# The columns a schedule or a run needs; loaded with the row lock.
_REQUEST_FIELDS = (
    "id",
    "status",
    "priority",
    "category_id",
    "department_id",
    "assignee_id",
    "team_id",
    "created_at",
    "routed_at",
    "acknowledged_at",
    "response_due_at",
    "expected_at",
    "next_escalation_at",
)


@dataclass(frozen=True)
class Threshold:
    """When one step of the policy is due for a request, and under which occurrence it fires."""

    step: EscalationStep
    at: datetime
    occurrence: str

    @property
    def key(self) -> tuple[int, str]:
        return (self.step.pk, self.occurrence)


@dataclass
class Lookups:
    """What a sweep reads again and again for different requests (policies, supervisors,
    departments), read once per sweep. An admin's edit applies from the next sweep."""

    policies: dict[tuple[int, int | None], EscalationPolicy | None] = field(default_factory=dict)
    supervisors: dict[int | None, list[dict]] = field(default_factory=dict)
    departments: dict[int, Department | None] = field(default_factory=dict)

    def policy(self, request: ServiceRequest) -> EscalationPolicy | None:
        key = (request.category_id, request.department_id)
        if key not in self.policies:
            self.policies[key] = policy_for_request(
                category_id=request.category_id, department_id=request.department_id
            )
        return self.policies[key]

    def supervisors_of(self, department_id: int | None) -> list[dict]:
        if department_id not in self.supervisors:
            self.supervisors[department_id] = _supervisors(department_id)
        return self.supervisors[department_id]

    def department(self, department_id: int | None) -> Department | None:
        if department_id is None:
            return None
        if department_id not in self.departments:
            self.departments[department_id] = (
                Department.objects.select_related("head").filter(pk=department_id).first()
            )
        return self.departments[department_id]


# --- Reads -------------------------------------------------------------------------------------


def escalation_policies_load() -> list[tuple[EscalationPolicy, frozenset[int]]]:
    """Active policies with their steps (and the steps' teams) and the ids of the categories
    each lists, oldest first: four queries, once per admin edit (see configcache)."""
    policies = (
        EscalationPolicy.objects.filter(active=True)
        .prefetch_related("steps__reassign_team", "categories")
        .order_by("id")
    )
    return [(p, frozenset(c.pk for c in p.categories.all())) for p in policies]


def policy_for_request(*, category_id: int, department_id: int | None) -> EscalationPolicy | None:
    """The active policy that applies, with its steps; no query while nothing was edited.

    Most specific wins: a policy listing the category (and, if it names a department, that
    department), else a policy for the department listing no categories, else a city-wide one
    (no department, no categories). Ties go to the oldest policy."""
    candidates = [
        (policy, category_id in categories)
        for policy, categories in config_cached("routing.escalations", escalation_policies_load)
        if (policy.department_id is None or policy.department_id == department_id)
        and (not categories or category_id in categories)
    ]
    if not candidates:
        return None
    # Listing the category first, then a named department before none, then the oldest.
    policy, _lists = min(
        candidates,
        key=lambda c: (not c[1], c[0].department_id is None, c[0].department_id or 0, c[0].pk),
    )
    return policy


def idle_since(*, request: ServiceRequest) -> datetime:
    """The start of the request's current idle stretch (see the module docstring). A row read
    by a run's lock brings the last staff action or end of a wait with it (``last_acted_at``)."""
    if hasattr(request, "last_acted_at"):
        last = request.last_acted_at
    else:
        last = RequestEvent.objects.filter(request_id=request.pk).aggregate(
            at=Max(
                "created_at",
                filter=Q(actor__isnull=False)
                | Q(type=RequestEvent.Type.STATUS_CHANGED, from_value=Status.WAITING_ON_RESIDENT),
            )
        )["at"]
    return max(t for t in (last, request.routed_at, request.created_at) if t is not None)


def _share_of(*, start: datetime, due: datetime, percent: float) -> datetime:
    if due <= start:
        return due
    return start + (due - start) * (percent / 100)


def request_thresholds(
    *,
    request: ServiceRequest,
    policy: EscalationPolicy | None,
    stretch: datetime | None = None,
) -> list[Threshold]:
    """Every step threshold that applies to the request now, fired or not, earliest first.
    ``stretch`` is the idle stretch's start when the caller has it (else read when needed)."""
    if policy is None or request.status not in OPEN_STATUSES:
        return []
    if request.status == Status.WAITING_ON_RESIDENT:
        return []
    found = []
    for step in policy.steps.all():
        if step.trigger == EscalationStep.Trigger.IDLE:
            if stretch is None:
                stretch = idle_since(request=request)
            found.append(
                Threshold(
                    step=step,
                    at=stretch + timedelta(hours=step.value),
                    # One reminder per idle stretch: the stretch's start names the occurrence.
                    occurrence=stretch.astimezone(UTC).isoformat(),
                )
            )
        elif step.trigger == EscalationStep.Trigger.TARGET_PERCENT:
            if step.target == EscalationStep.Target.RESPONSE:
                if request.acknowledged_at is not None:
                    continue
                due = request.response_due_at
            else:
                due = request.expected_at
            if due is None:
                continue
            found.append(
                Threshold(
                    step=step,
                    at=_share_of(start=request.created_at, due=due, percent=step.value),
                    occurrence="",
                )
            )
    return sorted(found, key=lambda t: (t.at, t.step.pk))


def fired_steps_annotation() -> RawSQL:
    """Every step fired for the request, as "step id|occurrence" texts: read with the row (a
    subquery of the SELECT) instead of a query of its own (``_fired_keys``). Written out: as an
    ORM subquery it took more Python to build than the rest of the read (about 1 ms)."""
    request, fired = ServiceRequest._meta.db_table, EscalationFired._meta.db_table
    return RawSQL(  # noqa: S611 (table and column names from the models)
        f"ARRAY(SELECT f.step_id::text || '|' || f.occurrence FROM {fired} f "  # noqa: S608
        f'WHERE f.request_id = "{request}"."id")',
        [],
        output_field=ArrayField(TextField()),
    )


def _fired_keys(*, request: ServiceRequest, thresholds: list[Threshold]) -> set[tuple[int, str]]:
    if not thresholds:
        return set()
    loaded = getattr(request, "fired_steps", None)
    if loaded is not None:
        # Read with the row (fired_steps_annotation): every step fired, a superset.
        return {
            (int(step), occurrence) for step, _bar, occurrence in (k.partition("|") for k in loaded)
        }
    return set(
        EscalationFired.objects.filter(
            request_id=request.pk, step_id__in={t.step.pk for t in thresholds}
        ).values_list("step_id", "occurrence")
    )


def _schedule_store(*, request: ServiceRequest, at: datetime | None) -> None:
    # A plain UPDATE: bookkeeping for the sweep, not a change anyone sees. It neither bumps the
    # version (a staff member's open page stays valid) nor writes an event.
    if at != request.next_escalation_at:
        ServiceRequest.objects.filter(pk=request.pk).update(next_escalation_at=at)
        request.next_escalation_at = at


def _claim(*, request_id: int, threshold: Threshold, writes: StepWrites | None) -> bool:
    """Insert the exactly-once row; False when it exists (the step already fired). With
    ``writes`` it is held for the run's one statement (which fails the run if it exists).

    ON CONFLICT DO NOTHING is the unique-insert claim without a savepoint per step: if another
    transaction holds an uncommitted claim, PostgreSQL waits for it and then skips."""
    step_id, occurrence = threshold.key
    if writes is not None:
        writes.claim(step_id=step_id, occurrence=occurrence)
        return True
    table = EscalationFired._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (request_id, step_id, occurrence, fired_at) "  # noqa: S608
            "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id",
            [request_id, step_id, occurrence, timezone.now()],
        )
        return cursor.fetchone() is not None


# --- Writes ------------------------------------------------------------------------------------


def request_escalation_schedule(*, request_id: int) -> datetime | None:
    """Store when the request next needs looking at: the earliest threshold of a step not fired
    yet; None when it is closed, waiting on the resident, has no policy or nothing is left.

    1. Read the row and its fired steps without a lock (or take the row routing has just written
       in this task, when nothing has written since) and compute. When the stored time is
       already right (most events move no threshold), stop: nothing to write, so no lock and no
       transaction.
    2. Otherwise store it with one conditional UPDATE that applies only if the row is still as
       read (the same version and the same stored time): every change a threshold reads bumps
       the version (a person's, a rule's, the score's band), and a sweep that fires a step
       stores the next time itself.
    3. If the row moved in between, do it again under the row lock, so two schedulers cannot
       write in the wrong order."""
    shared = request_shared(request_id)
    if shared is not None and hasattr(shared, "fired_steps"):
        # The row routing wrote in this task, with its fired steps, nothing written since: the
        # same as reading it now, without the read (a sweep firing a step in between changes
        # the stored time, so the conditional UPDATE below still catches it).
        request = shared
    else:
        request = _schedule_request(rows=ServiceRequest.objects.all(), request_id=request_id)
    if request is None:
        return None
    at = _schedule_compute(request=request)
    if at == request.next_escalation_at:
        return at
    stored = (
        ServiceRequest.objects.filter(
            pk=request_id,
            version=request.version,
            next_escalation_at=request.next_escalation_at,
        )
        if request.next_escalation_at is not None
        else ServiceRequest.objects.filter(
            pk=request_id, version=request.version, next_escalation_at__isnull=True
        )
    ).update(next_escalation_at=at)
    if stored:
        return at
    with transaction.atomic():
        request = _schedule_request(
            rows=ServiceRequest.objects.select_for_update(), request_id=request_id
        )
        if request is None:
            return None
        _schedule_store(request=request, at=_schedule_compute(request=request))
        return request.next_escalation_at


def _schedule_request(*, rows: QuerySet, request_id: int) -> ServiceRequest | None:
    # The fired steps come with the row (one query where a policy applies; was two).
    return (
        rows.only(*_REQUEST_FIELDS, "version")
        .annotate(fired_steps=fired_steps_annotation())
        .filter(pk=request_id)
        .first()
    )


def _schedule_compute(*, request: ServiceRequest) -> datetime | None:
    """The earliest threshold of a step not fired yet (None: nothing left)."""
    policy = policy_for_request(
        category_id=request.category_id, department_id=request.department_id
    )
    thresholds = request_thresholds(request=request, policy=policy)
    fired = _fired_keys(request=request, thresholds=thresholds)
    pending = [t for t in thresholds if t.key not in fired]
    return pending[0].at if pending else None


def request_escalations_run(
    *, request_id: int, now: datetime, lookups: Lookups | None = None
) -> int:
    """Fire every step of the request that is due at ``now`` and not fired yet; returns how many
    fired.

    1. Lock the request, skipping it if another worker holds it (that worker is running it, or a
       person is changing it; the next sweep looks again).
    2. For each due step, earliest first: claim it (an EscalationFired row; if it is already
       there, skip), then act (event, priority, team). Share steps overtaken by a further share
       of the same target, due at the same time, are claimed without acting. Thresholds are
       recomputed after each step: a raised priority can bring the other targets closer.
    3. Store the next time to look. The claims, the actions and the new schedule commit
       together, so a crash leaves either all of them or none.

    Step 2's writes and step 3's are held in memory and sent as one statement at the end
    (``escalations_writes``): a breach step is then the lock and that statement. If a claim
    meets a row already there, that run is undone and done again step by step (the writes
    through the workflow services, as before)."""
    lookups = lookups or Lookups()
    try:
        return _run(request_id=request_id, now=now, lookups=lookups, deferred=True)
    except ClaimTaken:
        return _run(request_id=request_id, now=now, lookups=lookups, deferred=False)


def _deferrable(policy: EscalationPolicy | None) -> bool:
    # Every step's writes can be held (a request without a policy has nothing to fire).
    return policy is not None


def _run(*, request_id: int, now: datetime, lookups: Lookups, deferred: bool) -> int:
    """``request_escalations_run``'s steps; ``deferred``: one statement where it can."""
    with transaction.atomic():
        # The whole row, held: the priority change and reassignment a step makes use it as it
        # is rather than locking and loading it again.
        request = _lock_for_steps(request_id=request_id)
        if request is None:
            return 0
        policy = lookups.policy(request)
        writes = StepWrites(request=request) if deferred and _deferrable(policy) else None
        has_idle = policy is not None and any(
            s.trigger == EscalationStep.Trigger.IDLE for s in policy.steps.all()
        )
        # The sweep's own actions have no staff actor, so the idle stretch stays as it is.
        stretch = idle_since(request=request) if has_idle else None
        thresholds = request_thresholds(request=request, policy=policy, stretch=stretch)
        done = _fired_keys(request=request, thresholds=thresholds)
        fired = 0
        while True:
            due = [t for t in thresholds if t.at <= now and t.key not in done]
            if not due:
                break
            for passed in _superseded(due):
                # Catching up (a new policy over a backlog, a worker down for a while): of the
                # share steps of one target that are all due, only the furthest fires; the
                # others are claimed without acting, so nobody gets a 75 % warning about a
                # request that has already breached.
                done.add(passed.key)
                _claim(request_id=request.pk, threshold=passed, writes=writes)
            due = [t for t in due if t.key not in done]
            if not due:
                break
            threshold = due[0]
            done.add(threshold.key)
            if not _claim(request_id=request.pk, threshold=threshold, writes=writes):
                continue
            if writes is not None:
                _step_plan(request=request, step=threshold.step, lookups=lookups, writes=writes)
            else:
                # The step's events (escalated, priority, due dates, team) in one INSERT.
                with events_batched():
                    request = _step_act(request=request, step=threshold.step, lookups=lookups)
            fired += 1
            thresholds = request_thresholds(request=request, policy=policy, stretch=stretch)
        pending = [t for t in thresholds if t.key not in done]
        at = pending[0].at if pending else None
        if writes is not None and writes.claims:
            if at != request.next_escalation_at:
                request.next_escalation_at = at
                writes.changed.add("next_escalation_at")
            writes.write()
        else:
            _schedule_store(request=request, at=at)
        return fired


@functools.cache
def _lock_for_steps_sql() -> tuple[list[str], str, list]:
    """The attnames of the request's columns, the lock's statement and the columns' converters
    (``requests_app.rows``): written once per process."""
    events, fired = RequestEvent._meta.db_table, EscalationFired._meta.db_table
    concrete = [f.attname for f in ServiceRequest._meta.concrete_fields]
    columns, select, converters = model_columns(ServiceRequest, concrete, alias="r")
    sql = (
        f"SELECT {select}, NOT EXISTS (SELECT 1 FROM {events} e "  # noqa: S608
        "WHERE e.request_id = r.id AND e.type = %s AND e.to_value = %s) AS never_waited, "
        f"ARRAY(SELECT f.step_id::text || '|' || f.occurrence FROM {fired} f "
        "WHERE f.request_id = r.id) AS fired_steps, "
        # idle_since's read (a few events per request, through event_request_time).
        f"(SELECT max(e.created_at) FROM {events} e WHERE e.request_id = r.id "
        "AND (e.actor_id IS NOT NULL OR (e.type = %s AND e.from_value = %s))) AS last_acted_at "
        f'FROM "{ServiceRequest._meta.db_table}" r WHERE r.id = %s FOR UPDATE OF r SKIP LOCKED'
    )
    return [f.attname for f in columns], sql, converters


def _lock_for_steps(*, request_id: int) -> ServiceRequest | None:
    """The whole row locked for a run of its steps (None if it is gone or another worker holds
    it), held (``request_mark_held``), with what ``request_lock_held(waits=True)`` adds
    (``never_waited``), the steps fired (``fired_steps``, as ``fired_steps_annotation``) and
    the last staff action or end of a wait (``last_acted_at``, for ``idle_since``).

    Written out rather than built by the ORM: with its two subqueries and FOR UPDATE SKIP
    LOCKED, building the query cost more Python than anything else in a breach step (3.9 ms
    of CPU against 0.9 ms for this, including the round trip, on the shared bench machine).
    Read with a plain cursor and made the model by ``from_db`` through the ORM's converters
    (``requests_app.rows``), the same object ``raw`` gave, without its per-query set-up."""
    attnames, sql, converters = _lock_for_steps_sql()
    waits = [RequestEvent.Type.STATUS_CHANGED, Status.WAITING_ON_RESIDENT]
    params = [*waits, *waits, request_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    width = len(attnames)
    request = ServiceRequest.from_db(
        connection.alias, attnames, row_convert(row[:width], converters)
    )
    request.never_waited, request.fired_steps, request.last_acted_at = row[width:]
    return request_mark_held(request=request)


def _superseded(due: list[Threshold]) -> list[Threshold]:
    """Share-of-target steps that are due together with a further step on the same target."""
    furthest: dict[str, float] = {}
    for t in due:
        if t.step.trigger == EscalationStep.Trigger.TARGET_PERCENT:
            furthest[t.step.target] = max(furthest.get(t.step.target, 0.0), t.step.value)
    return [
        t
        for t in due
        if t.step.trigger == EscalationStep.Trigger.TARGET_PERCENT
        and t.step.value < furthest[t.step.target]
    ]


def escalations_sweep(
    *, now: datetime | None = None, limit: int = 500, budget_seconds: float | None = None
) -> int:
    """Run the open requests whose next escalation time has come, oldest first; returns how many
    steps fired. One probe of the partial index ``request_open_escalation`` when nothing is due.

    ``budget_seconds`` caps one sweep's work: once it is spent no further request is started
    (the one in hand finishes; the first always runs), and the rest stay due for the next
    sweep. The periodic task uses it so that a burst of breaches is spread over short sweeps
    instead of one long one.

    Several sweeps may run at once: each request is run under a skip-locked row lock and each
    step is claimed by a unique row, so every step fires once."""
    now = now or timezone.now()
    started = time.monotonic()
    ids = list(
        ServiceRequest.objects.filter(status__in=OPEN_STATUS_VALUES, next_escalation_at__lte=now)
        .order_by("next_escalation_at")
        .values_list("id", flat=True)[:limit]
    )
    lookups = Lookups()
    fired = 0
    with config_snapshot():
        for position, request_id in enumerate(ids):
            # At least one request per sweep, so a sweep always makes progress.
            spent = time.monotonic() - started
            if position and budget_seconds is not None and spent >= budget_seconds:
                break
            try:
                fired += request_escalations_run(request_id=request_id, now=now, lookups=lookups)
            except Exception:
                # One broken request must not hold up every other escalation in the city.
                logger.exception("escalation run failed for request %s", request_id)
    return fired


def escalations_due_exist(*, now: datetime | None = None) -> bool:
    """Whether any open request is due for a step (one probe of the partial index)."""
    return ServiceRequest.objects.filter(
        status__in=OPEN_STATUS_VALUES, next_escalation_at__lte=now or timezone.now()
    ).exists()


def escalations_reschedule(
    *, policy_id: int | None = None, after_id: int = 0, batch: int = 2000
) -> tuple[int, int | None]:
    """Recompute the schedule of open requests (all of them, or those a policy may apply to), one
    batch in id order after ``after_id``. For an admin's new or edited policy: requests nobody
    touches would otherwise keep their old schedule. Returns how many requests it looked at and
    the id to continue after (None when done), so a task can chain batches that each finish
    well within the worker's timeout."""
    requests = ServiceRequest.objects.filter(status__in=OPEN_STATUS_VALUES, pk__gt=after_id)
    if policy_id is not None:
        policy = EscalationPolicy.objects.filter(pk=policy_id).first()
        if policy is not None and policy.department_id:
            requests = requests.filter(department_id=policy.department_id)
        category_ids = list(policy.categories.values_list("id", flat=True)) if policy else []
        if category_ids:
            requests = requests.filter(category_id__in=category_ids)
    ids = list(requests.order_by("pk").values_list("id", flat=True)[:batch])
    for request_id in ids:
        request_escalation_schedule(request_id=request_id)
    return len(ids), (ids[-1] if len(ids) == batch else None)


def on_event(event: RequestEvent) -> None:
    """Reschedule after anything that can move a threshold (idempotent: it recomputes).

    The schedule is computed from the request as it is, so for a burst of events handled in one
    task (a new request's routing writes five) it is computed once, after the last."""
    if event.type in RESCHEDULE_ON or event.actor_id is not None:
        request_id = event.request_id
        after_events(
            ("escalation_schedule", request_id),
            lambda: request_escalation_schedule(request_id=request_id),
        )


# --- Acting on one step ------------------------------------------------------------------------


def _raised(priority: str) -> str | None:
    index = PRIORITY_BANDS.index(priority) if priority in PRIORITY_BANDS else 1
    return PRIORITY_BANDS[index + 1] if index + 1 < len(PRIORITY_BANDS) else None


def _supervisors(department_id: int | None) -> list[dict]:
    if department_id is None:
        return []
    users = (
        get_user_model()
        .objects.filter(
            is_active=True,
            staff_profile__role=Role.SUPERVISOR,
            staff_profile__departments=department_id,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return [{"user_id": pk} for pk in users]


def _team_members(team_id: int) -> list[dict]:
    users = (
        get_user_model()
        .objects.filter(is_active=True, teams=team_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return [{"user_id": pk} for pk in users]


def _recipients(
    *, request: ServiceRequest, notify: str, team: Team | None, lookups: Lookups
) -> tuple[list[dict], str]:
    """Who to tell, as user ids (or, for a department without a head, its email address), and
    the words for the event message. ``team`` is the team this step moves the request to."""
    Notify = EscalationStep.Notify
    if notify == Notify.ASSIGNEE:
        if request.assignee_id and team is None:
            return [{"user_id": request.assignee_id}], "assignee told"
        team_id = team.pk if team is not None else request.team_id
        members = _team_members(team_id) if team_id else []
        if members:
            return members, "team told"
        # Nobody to remind: the department's supervisors hear instead, so it is not lost.
        supervisors = lookups.supervisors_of(request.department_id)
        return supervisors, (
            "nobody assigned: supervisors told" if supervisors else "nobody to tell"
        )
    if notify == Notify.SUPERVISORS:
        supervisors = lookups.supervisors_of(request.department_id)
        return supervisors, "supervisors told" if supervisors else "no supervisor to tell"
    if notify == Notify.DEPARTMENT_HEAD:
        department = lookups.department(request.department_id)
        if department is not None and department.head_id and department.head.is_active:
            return [{"user_id": department.head_id}], "department head told"
        if department is not None and department.email:
            return [{"email": department.email}], "department told (no head set)"
        return [], "no department head to tell"
    return [], ""


def _headline(step: EscalationStep) -> str:
    value = f"{step.value:g}"
    if step.trigger == EscalationStep.Trigger.IDLE:
        return f"Reminder: no action for {value} h"
    response = step.target == EscalationStep.Target.RESPONSE
    if step.value >= 100:
        return "First-action target breached" if response else "Target breached"
    return f"{value}% of the time to {'first action' if response else 'resolve'} used"


def _step_outline(
    *, request: ServiceRequest, step: EscalationStep, lookups: Lookups
) -> tuple[dict, str | None, Team | None]:
    """What a step does to the request as it is: its "escalated" event's fields, the priority
    it raises to (None: none) and the team it moves the request to (None: none)."""
    new_priority = _raised(request.priority) if step.raise_priority else None
    team = step.reassign_team
    actions: list[str] = []
    if new_priority:
        actions.append(f"priority raised to {Priority(new_priority).label}")
    elif step.raise_priority:
        actions.append(f"priority already {Priority(request.priority).label}")
    if team is not None:
        if team.department_id != request.department_id:
            # The request moved to another department since the policy was written.
            actions.append(f"not moved: team {team.name} is in another department")
            team = None
        elif team.pk == request.team_id and request.assignee_id is None:
            actions.append(f"already with team {team.name}")
            team = None
        else:
            actions.append(f"moved to team {team.name}")
    recipients, told = _recipients(request=request, notify=step.notify, team=team, lookups=lookups)
    if told:
        actions.append(told)
    message = _headline(step)
    if actions:
        breach = step.trigger == EscalationStep.Trigger.TARGET_PERCENT and step.value >= 100
        message += (": " if breach else " — ") + ", ".join(actions)
    escalated = {
        "type": RequestEvent.Type.ESCALATED,
        "actor_label": ACTOR_LABEL,
        "public": False,
        "to_value": step.name[:120],
        "message": message,
        "data": {
            "step_id": step.pk,
            "step_name": step.name,
            "policy_id": step.policy_id,
            "trigger": step.trigger,
            "target": step.target,
            "value": step.value,
            "notify": step.notify,
            "recipients": recipients,
            "priority": new_priority or "",
            "team_id": team.pk if team else None,
            "team_name": team.name if team else "",
        },
    }
    return escalated, new_priority, team


def _step_act(*, request: ServiceRequest, step: EscalationStep, lookups: Lookups) -> ServiceRequest:
    """Write the step's event and apply its actions to the locked request; returns the request as
    it now is. The event comes first so the timeline reads: escalated, then what it changed."""
    escalated, new_priority, team = _step_outline(request=request, step=step, lookups=lookups)
    event_record(request=request, actor=None, **escalated)
    reason = f"Escalation: {step.name}"
    if new_priority:
        request = request_priority_change(
            request=request, actor=None, priority=new_priority, reason=reason
        )
    if team is not None:
        request = request_assign(request=request, actor=None, team=team)
    return request


def _step_plan(
    *, request: ServiceRequest, step: EscalationStep, lookups: Lookups, writes: StepWrites
) -> None:
    """``_step_act`` with its writes held for the run's one statement, changing the held
    request in memory as ``_step_act`` does."""
    escalated, new_priority, team = _step_outline(request=request, step=step, lookups=lookups)
    writes.event(**escalated)
    if new_priority:
        priority_raise(
            request=request,
            priority=new_priority,
            reason=f"Escalation: {step.name}",
            writes=writes,
        )
    if team is not None:
        team_move(request=request, team=team, writes=writes)
