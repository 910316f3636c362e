"""A run of escalation steps written in one statement: the steps' claims, the request's changed
columns and the steps' events, with their order and data exactly as the workflow services write
them (routing.escalations.request_escalations_run; tested against the step-by-step run).

A breach step was four writes after its row lock: the claim, the priority and due dates, the
events and the next escalation time. Each is a round trip (about half of the step's time at 1M
requests went to sending and waiting, most of the rest to the ORM building the statements), so
the run collects them in memory and sends one ``WITH ... INSERT ... UPDATE ... INSERT`` at its
end, in the run's transaction, on the row it holds locked (docs/performance.md, "Round 5: the
breach step")."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.utils import timezone

from requests_app.dispatch import event_dispatch_enqueue
from requests_app.models import RequestEvent, ServiceRequest, Team
from requests_app.services.due import request_due_times
from requests_app.services.events import event_build
from routing.models import EscalationFired

# The columns of an event the statement writes, in the order of its arrays.
_EVENT_COLUMNS = (
    "type",
    "actor_label",
    "created_at",
    "public",
    "from_value",
    "to_value",
    "message",
    "data",
)
_EVENT_TYPES = ("text", "text", "timestamptz", "boolean", "text", "text", "text", "jsonb")


class ClaimTaken(Exception):
    """A step's claim met a row already there: nothing of the run is kept, and it runs again
    step by step (which skips the steps someone else fired)."""


@dataclass
class StepWrites:
    """What a run of steps writes, held until ``write`` sends it as one statement."""

    request: ServiceRequest
    claims: list[tuple[int, str, datetime]] = field(default_factory=list)
    events: list[RequestEvent] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)

    def claim(self, *, step_id: int, occurrence: str) -> None:
        self.claims.append((step_id, occurrence, timezone.now()))

    def event(
        self,
        *,
        type: str,
        actor_label: str = "",
        public: bool = False,
        from_value: str = "",
        to_value: str = "",
        message: str = "",
        data: dict | None = None,
    ) -> RequestEvent:
        """An event without an actor, built as ``event_record`` builds it (and stamped when it
        is recorded, as there), written with the rest."""
        event = event_build(
            request=self.request,
            type=type,
            actor_label=actor_label,
            public=public,
            from_value=from_value,
            to_value=to_value,
            message=message,
            data=data,
        )
        self.events.append(event)
        return event

    def write(self) -> None:
        """Send the claims, the changed columns and the events as one statement. The columns
        and the events are written only if every claim was (ClaimTaken otherwise, raised inside
        the run's transaction so that the claims made are undone with it); then the events are
        handed to the dispatch as ``events_batched`` hands them."""
        request = self.request
        columns = tuple(sorted(self.changed))
        params: list[object] = [
            request.pk,
            [step_id for step_id, _o, _a in self.claims],
            [occurrence for _s, occurrence, _a in self.claims],
            [at for _s, _o, at in self.claims],
            len(self.claims),
        ]
        if columns:
            params += [*(getattr(request, name) for name in columns), request.pk]
        if self.events:
            params.append(request.pk)
            params += [[_event_value(e, name) for e in self.events] for name in _EVENT_COLUMNS]
        with connection.cursor() as cursor:
            cursor.execute(_statement_sql(columns, bool(self.events)), params)
            all_claimed, ids = cursor.fetchone()
        if not all_claimed:
            raise ClaimTaken
        for event, pk in zip(self.events, ids or [], strict=True):
            event.pk = pk
            event._state.adding = False
            event._state.db = connection.alias
            event_dispatch_enqueue(pk, event=event)


def _event_value(event: RequestEvent, name: str) -> object:
    value = getattr(event, name)
    # As the JSON field stores it (json.dumps, no encoder of its own).
    return json.dumps(value) if name == "data" else value


@functools.cache
def _statement_sql(columns: tuple[str, ...], with_events: bool) -> str:
    """The run's statement for these changed columns: built once per process and shape.

    Data-modifying CTEs all run, whether read or not; the UPDATE and the events' INSERT each
    carry the claims' count so they write nothing unless every claim did."""
    fired = EscalationFired._meta.db_table
    request_table = ServiceRequest._meta.db_table
    event_table = RequestEvent._meta.db_table
    meta = ServiceRequest._meta
    parts = [
        f"claimed AS (INSERT INTO {fired} (request_id, step_id, occurrence, fired_at) "  # noqa: S608
        "SELECT %s, c.step_id, c.occurrence, c.fired_at "
        "FROM unnest(%s::integer[], %s::text[], %s::timestamptz[]) AS c(step_id, occurrence, "
        "fired_at) ON CONFLICT DO NOTHING RETURNING 1)",
        "ok AS (SELECT count(*) = %s AS all_claimed FROM claimed)",
    ]
    if columns:
        # By attname (team_id, not team): the values are read from the request by it too.
        sets = ", ".join(f'"{meta.get_field(name).column}" = %s' for name in columns)
        parts.append(
            f'changed AS (UPDATE "{request_table}" SET {sets} '  # noqa: S608
            "WHERE id = %s AND (SELECT all_claimed FROM ok) RETURNING 1)"
        )
    ids = "NULL::bigint[]"
    if with_events:
        names = ", ".join(_EVENT_COLUMNS)
        arrays = ", ".join(f"%s::{kind}[]" for kind in _EVENT_TYPES)
        parts.append(
            f"written AS (INSERT INTO {event_table} (request_id, actor_id, {names}) "  # noqa: S608
            f"SELECT %s, NULL, {', '.join('e.' + n for n in _EVENT_COLUMNS)} "
            f"FROM unnest({arrays}) WITH ORDINALITY AS e({names}, n) "
            "WHERE (SELECT all_claimed FROM ok) ORDER BY e.n RETURNING id)"
        )
        ids = "ARRAY(SELECT id FROM written ORDER BY id)"
    # Table and column names from the models; every value is a parameter.
    return "WITH " + ", ".join(parts) + f" SELECT (SELECT all_claimed FROM ok), {ids}"  # noqa: S608


def priority_raise(
    *, request: ServiceRequest, priority: str, reason: str, writes: StepWrites
) -> None:
    """``request_priority_change(actor=None)`` on the held row, with its writes added to the
    run's: the priority and the target dates that follow it in the row, then the due dates'
    event (when they moved) and the priority's, with the same fields, order and data. Kept in
    step with it by ``tests/routing/test_escalations_writes.py``."""
    before = request.priority
    if before == priority:
        return
    request.priority = priority
    writes.changed.add("priority")
    response_due, resolution_due = request_due_times(request=request)
    due_before = request.expected_at
    due_moved = (response_due, resolution_due) != (request.response_due_at, request.expected_at)
    if due_moved:
        request.response_due_at, request.expected_at = response_due, resolution_due
        writes.changed.update({"response_due_at", "expected_at"})
    # _touch(staff_acted=False): an automatic change is not a first response.
    request.version += 1
    request.updated_at = timezone.now()
    writes.changed.update({"version", "updated_at"})
    if due_moved:
        writes.event(
            type=RequestEvent.Type.DUE_CHANGED,
            from_value=due_before.isoformat() if due_before else "",
            to_value=request.expected_at.isoformat(),
            message=f"Priority {before} → {priority}",
            data={"response_due": request.response_due_at.isoformat()},
        )
    writes.event(
        type=RequestEvent.Type.PRIORITY_CHANGED,
        from_value=before,
        to_value=priority,
        message=reason.strip(),
        data={},
    )


def team_move(*, request: ServiceRequest, team: Team, writes: StepWrites) -> None:
    """``request_assign(actor=None, team=team)`` on the held row, with its writes added to the
    run's: the assignee cleared and the team set in the row, then the "assigned" event with
    the same names, values and data. Kept in step with it by the same tests."""
    before = ", ".join(
        x
        for x in (_person(request.assignee) if request.assignee else "", str(request.team or ""))
        if x
    )
    request.assignee, request.team = None, team
    # _touch(staff_acted=False), as for the priority.
    request.version += 1
    request.updated_at = timezone.now()
    writes.changed.update({"assignee_id", "team_id", "version", "updated_at"})
    after = str(team)
    writes.event(
        type=RequestEvent.Type.ASSIGNED,
        from_value=before[:120],
        to_value=after[:120] or "unassigned",
        message=f"Assigned to {after}" if after else "Unassigned",
        data={"assignee_id": None, "team_id": team.pk},
    )


def _person(user) -> str:
    # The workflow services' name for a person (their full name, else their username).
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full or user.get_username()
