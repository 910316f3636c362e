"""The request event log: every change to a request is appended here, in its transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from requests_app.dispatch import event_dispatch_enqueue
from requests_app.models import RequestEvent, ServiceRequest

Actor = AbstractBaseUser | None

# The events of the innermost events_batched() block, written when it ends; None outside one.
_BATCH: ContextVar[list[RequestEvent] | None] = ContextVar("events_batch", default=None)


@contextmanager
def events_batched() -> Iterator[None]:
    """Write the events recorded inside the block in one multi-row INSERT when it ends (in the
    order recorded, so their ids keep the timeline's order), then dispatch them. For a step that
    writes several events at once (an escalation with the priority and due dates it moves).
    Inside the block a recorded event has no id yet. Use inside the transaction that makes the
    changes; if the block raises, its events are dropped with the rest of that work."""
    if _BATCH.get() is not None:
        yield
        return
    batch: list[RequestEvent] = []
    token = _BATCH.set(batch)
    try:
        yield
    finally:
        _BATCH.reset(token)
    _batch_write(batch)


def _batch_write(batch: list[RequestEvent]) -> None:
    if batch:
        RequestEvent.objects.bulk_create(batch)
        for event in batch:
            event_dispatch_enqueue(event.id, event=event)
        batch.clear()


def events_batch_flush(*, request_id: int, type: str) -> None:
    """Write the open batch now if it holds an event of ``type`` for the request: for a read of
    the log that needs it (the pauses are read from the status changes)."""
    batch = _BATCH.get()
    if batch and any(e.request_id == request_id and e.type == type for e in batch):
        _batch_write(batch)


def event_build(
    *,
    request: ServiceRequest,
    type: str,
    actor: Actor = None,
    actor_label: str = "",
    public: bool = False,
    from_value: str = "",
    to_value: str = "",
    message: str = "",
    data: dict | None = None,
    at: datetime | None = None,
) -> RequestEvent:
    """The event ``event_record`` appends, not yet written: for a writer that sends its events
    with other writes in one statement (routing.escalations_writes)."""
    return RequestEvent(
        request=request,
        type=type,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=actor_label or (actor.get_username() if actor else "System"),
        public=public,
        from_value=from_value,
        to_value=to_value,
        message=message,
        data=data or {},
        created_at=at or timezone.now(),
    )


def event_record(
    *,
    request: ServiceRequest,
    type: str,
    actor: Actor = None,
    actor_label: str = "",
    public: bool = False,
    from_value: str = "",
    to_value: str = "",
    message: str = "",
    data: dict | None = None,
    at: datetime | None = None,
) -> RequestEvent:
    """Append one event to a request's log and dispatch it to the workers after commit.

    Call inside the transaction that makes the change, so the change and its event land together."""
    event = event_build(
        request=request,
        type=type,
        actor=actor,
        actor_label=actor_label,
        public=public,
        from_value=from_value,
        to_value=to_value,
        message=message,
        data=data,
        at=at,
    )
    batch = _BATCH.get()
    if batch is not None:
        batch.append(event)
        return event
    event.save(force_insert=True)
    event_dispatch_enqueue(event.id, event=event)
    return event
