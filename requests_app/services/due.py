"""When a request is due: first action and resolution, with the clock paused while it waits on
the resident. The arithmetic (business calendars, per-priority targets) is the routing app's,
reached through requests_app.dispatch.due_provider; without it, the category's own targets
count around the clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from requests_app.configcache import config_cached
from requests_app.dispatch import due_provider
from requests_app.models import Category, RequestEvent, ServiceRequest, Status
from requests_app.services.events import events_batch_flush

Pause = tuple[datetime, datetime]


def _category_hours() -> dict[int, Category]:
    """Every category's target hours by id, kept per process until an admin edits one."""
    return config_cached(
        "requests_app.category_hours",
        lambda: {
            c.pk: c
            for c in Category.objects.only("id", "response_target_hours", "resolution_target_hours")
        },
    )


def request_pauses(*, request: ServiceRequest, now: datetime | None = None) -> list[Pause]:
    """The intervals the request spent waiting on the resident, read from its status events;
    a wait still going on runs until `now`."""
    if request.pk is None:
        return []
    if getattr(request, "never_waited", False) and request.status != Status.WAITING_ON_RESIDENT:
        # Learnt with its lock (services.held), and a move to waiting since clears it: no pause.
        # The status check covers a first wait committed while the lock was being taken.
        return []
    # A status change recorded in an events_batched() block is read too.
    events_batch_flush(request_id=request.pk, type=RequestEvent.Type.STATUS_CHANGED)
    pauses: list[Pause] = []
    began: datetime | None = None
    moves = request.events.filter(type=RequestEvent.Type.STATUS_CHANGED).order_by(
        "created_at", "id"
    )
    for at, to in moves.values_list("created_at", "to_value"):
        if to == Status.WAITING_ON_RESIDENT and began is None:
            began = at
        elif to != Status.WAITING_ON_RESIDENT and began is not None:
            pauses.append((began, at))
            began = None
    if began is not None:
        pauses.append((began, now or timezone.now()))
    return pauses


def request_due_times(
    *, request: ServiceRequest, now: datetime | None = None
) -> tuple[datetime, datetime]:
    """(first action due, resolution due) from the request's receipt, minus paused time."""
    start = request.created_at
    pauses = request_pauses(request=request, now=now)
    provider = due_provider()
    if provider is not None:
        # By id: a locked row loaded without its category need not load it for the look-up.
        due = provider(
            category_id=request.category_id, priority=request.priority, start=start, pauses=pauses
        )
        if due is not None:
            return due
    paused = sum(((end - begin) for begin, end in pauses), timedelta())
    # The category's target hours from the per-process copy when the row did not come with it.
    category = (
        request.category
        if request.category_id is None or ServiceRequest.category.is_cached(request)
        else _category_hours().get(request.category_id) or request.category
    )
    return (
        category.expected_response(start=start) + paused,
        category.expected_resolution(start=start) + paused,
    )
