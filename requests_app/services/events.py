"""The request event log: every change to a request is appended here, in its transaction."""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import DatabaseError, connection
from django.utils import timezone

from requests_app.dispatch import event_dispatch_enqueue
from requests_app.models import RequestEvent, ServiceRequest
from requests_app.prepared import prepared
from requests_app.services.held import request_is_held

Actor = AbstractBaseUser | None


class _Batch(list):
    """The events recorded in an events_batched() block, in order, and the held row whose
    changed columns are saved with them (``request_save_batched``)."""

    def __init__(self) -> None:
        super().__init__()
        self.row: ServiceRequest | None = None
        self.fields: set[str] = set()


# The outermost events_batched() block's batch, written when it ends; None outside one.
_BATCH: ContextVar[_Batch | None] = ContextVar("events_batch", default=None)


@contextmanager
def events_batched() -> Iterator[None]:
    """Write the events recorded inside the block in one multi-row INSERT when it ends (in the
    order recorded, so their ids keep the timeline's order), then dispatch them. For a step that
    writes several events at once (an escalation with the priority and due dates it moves).
    Inside the block a recorded event has no id yet. A held row's save given to
    ``request_save_batched`` goes in the same statement. Use inside the transaction that makes
    the changes; if the block raises, its events (and that save) are dropped with the rest of
    that work."""
    if _BATCH.get() is not None:
        yield
        return
    batch = _Batch()
    token = _BATCH.set(batch)
    try:
        yield
    finally:
        _BATCH.reset(token)
    _batch_write(batch)


def _batch_write(batch: _Batch) -> None:
    row, fields = batch.row, sorted(batch.fields)
    batch.row = None
    batch.fields.clear()
    if batch and (row is None or _plain(row, fields)):
        _row_and_events_write(row, fields, batch)
    else:
        if row is not None:
            row.save(update_fields=fields)
        if batch:
            RequestEvent.objects.bulk_create(batch)
    for event in batch:
        event_dispatch_enqueue(event.id, event=event)
    batch.clear()


def request_save_batched(request: ServiceRequest, fields: Collection[str]) -> None:
    """``request.save(update_fields=fields)``; for a held row (``request_mark_held``) inside an
    events_batched() block, saved instead when the block's events are written, in the same
    statement (one round trip and no ORM compile where there were two of each: routing's
    UPDATE and its events' INSERT). What is saved then is the held object's value of every
    field named so far: the object is the row (the held row's contract), so the values are
    what each save would have left. Another row, or a row not held, is saved now."""
    batch = _BATCH.get()
    if batch is None or not request_is_held(request) or batch.row not in (None, request):
        request.save(update_fields=sorted(fields))
        return
    batch.row = request
    batch.fields.update(fields)


def _plain(row: ServiceRequest, fields: list[str]) -> bool:
    """Whether the changed fields bind plain values (no geometry placeholder, no expression):
    anything else is saved by the ORM, which knows how."""
    meta = row._meta
    return not any(
        hasattr(meta.get_field(name), "get_placeholder")
        or hasattr(getattr(row, meta.get_field(name).attname), "resolve_expression")
        for name in fields
    )


def _row_and_events_write(
    row: ServiceRequest | None, fields: list[str], events: list[RequestEvent]
) -> None:
    """The row's UPDATE (if any) and the events' INSERT as one statement: the values the ORM
    would bind (``pre_save``, then ``get_db_prep_save``), the ids set in the order recorded.
    Raises as ``save(update_fields=...)`` does when the row is gone."""
    event_fields = _event_fields()
    params: list[object] = []
    if row is not None:
        for name in fields:
            field = row._meta.get_field(name)
            params.append(field.get_db_prep_save(field.pre_save(row, False), connection))
        params.append(row.pk)
    for event in events:
        params += [f.get_db_prep_save(f.pre_save(event, True), connection) for f in event_fields]
    with connection.cursor() as cursor:
        sql = _row_and_events_sql(tuple(fields) if row else None, len(events))
        prepared(cursor, [(sql, None, params)])
        if row is None:
            updated, ids = 0, sorted(pk for (pk,) in cursor.fetchall())
        else:
            updated, ids = cursor.fetchone()
    if row is not None and not updated:
        raise DatabaseError("Save with update_fields did not affect any rows.")
    for event, pk in zip(events, ids, strict=True):
        event.pk = pk
        event._state.adding, event._state.db = False, connection.alias


@functools.cache
def _event_fields() -> list:
    return [f for f in RequestEvent._meta.concrete_fields if not f.primary_key]


@functools.cache
def _row_and_events_sql(fields: tuple[str, ...] | None, count: int) -> str:
    """Written once per process for each set of changed columns (None: no row) and number of
    events. Table and column names come from the models; every value is a parameter."""
    quote = connection.ops.quote_name
    pk = quote(RequestEvent._meta.pk.column)
    columns = ", ".join(quote(f.column) for f in _event_fields())
    row = "(" + ", ".join(["%s"] * len(_event_fields())) + ")"
    insert = (
        f"INSERT INTO {quote(RequestEvent._meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES {', '.join([row] * count)} RETURNING {pk}"
    )
    if fields is None:
        return insert
    meta = ServiceRequest._meta
    sets = ", ".join(f"{quote(meta.get_field(name).column)} = %s" for name in fields)
    # Ids come from the sequence row by row in the order given: sorted, they are that order.
    return (
        f"WITH changed AS (UPDATE {quote(meta.db_table)} SET {sets} "  # noqa: S608
        f"WHERE {quote(meta.pk.column)} = %s RETURNING 1), written AS ({insert}) "
        f"SELECT (SELECT count(*) FROM changed), ARRAY(SELECT {pk} FROM written ORDER BY {pk})"
    )


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
