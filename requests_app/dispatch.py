"""The handler registry: the core records events and other apps react to them.

Apps register in their AppConfig.ready(); the core never imports them. Each handler receives the
event id and must be idempotent (a task can be delivered twice). A handler reads the event with
``event_get`` (the dispatching task has it loaded already).

Events written while a worker handles an event (routing writes "routed", two status moves,
"scored"...) are handled by that same task, right after, rather than each by a task of its own:
``event_dispatch_enqueue`` hands them to the running dispatch (``requests_app.tasks``). Work that
depends only on where a request ends up (the escalation schedule) is registered with
``after_events`` and done once, after the last of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import connection, transaction

from requests_app.models import RequestEvent, ServiceRequest

EventHandler = Callable[[int], None]
_HANDLERS: list[tuple[str, EventHandler]] = []


@dataclass
class DispatchScope:
    """One worker task's dispatch: the event in hand, the events its handlers wrote, and the
    work to do once they are all handled."""

    current: RequestEvent | None = None
    # The events handlers wrote: (id, the written copy or None, whether its transaction stands).
    recorded: list[tuple[int, RequestEvent | None, _Written]] = field(default_factory=list)
    deferred: dict[Hashable, Callable[[], object]] = field(default_factory=dict)
    # Counts the events written and the handlers failed: a shared read is good while it holds.
    writes: int = 0
    shared: dict[Hashable, tuple[int, object]] = field(default_factory=dict)
    # Rows held for one write after the last event (``dispatch_batch``), by batch key.
    batches: dict[Hashable, list] = field(default_factory=dict)
    # How many atomic blocks were open when the dispatch began: a row is held only when it
    # would have been written at that depth (its fate is the dispatch's own).
    depth: int = 0
    # Reads the handlers keep current themselves (``dispatch_keep``); dropped when one fails.
    kept: dict[Hashable, object] = field(default_factory=dict)


class _Written:
    """An on_commit hook that only notes it ran. Django drops a hook registered inside a
    savepoint or transaction that rolls back, so once every block the handler opened is closed,
    the hook having run or still waiting on an outer transaction means the write stands: what
    looking the event up in the database would tell, without the query."""

    __slots__ = ("ran",)

    def __init__(self) -> None:
        self.ran = False

    def __call__(self) -> None:
        self.ran = True

    def stands(self) -> bool:
        from django.db import connection

        return self.ran or any(hook is self for _, hook, _ in connection.run_on_commit)


_SCOPE: ContextVar[DispatchScope | None] = ContextVar("event_dispatch_scope", default=None)


@contextmanager
def dispatch_scope() -> Iterator[DispatchScope]:
    """The running dispatch (requests_app.tasks.event_dispatch); nested dispatches (a task run
    inline, as tests do) get their own."""
    scope = DispatchScope(depth=len(connection.atomic_blocks))
    token = _SCOPE.set(scope)
    try:
        yield scope
    finally:
        _SCOPE.reset(token)


def event_get(event_id: int) -> RequestEvent | None:
    """The event a handler was called for: the dispatch's loaded copy, else one query."""
    scope = _SCOPE.get()
    if scope is not None and scope.current is not None and scope.current.pk == event_id:
        return scope.current
    return RequestEvent.objects.filter(pk=event_id).first()


def after_events(key: Hashable, work: Callable[[], object]) -> None:
    """Do ``work`` once when the running dispatch has handled every event (the same ``key``
    registered again is done once); at once outside a dispatch. For work computed from the
    request's final state, which each event of a burst would otherwise redo."""
    scope = _SCOPE.get()
    if scope is None:
        work()
        return
    scope.deferred.setdefault(key, work)


def dispatch_batch(key: Hashable, items: list, flush: Callable[[list], object]) -> bool:
    """Hold ``items`` for one ``flush(items)`` of every item of batch ``key`` once the running
    dispatch has handled every event (with ``after_events``' work, in the order first asked);
    True when held. False, and the caller writes it now, outside a dispatch or inside a block
    the handler opened itself (``transaction.atomic``): a row held past the end of that block
    would be written even if the block rolled back. For writes a burst of events makes one at
    a time (the outbox's rows: a receipt, the routed update, the staff alert, one INSERT)."""
    scope = _SCOPE.get()
    if scope is None or len(connection.atomic_blocks) != scope.depth:
        return False
    held = scope.batches.get(key)
    if held is None:
        held = scope.batches[key] = []
        scope.deferred.setdefault(key, lambda: flush(scope.batches.pop(key, [])))
    held.extend(items)
    return True


def dispatch_shared(key: Hashable, load: Callable[[], object]) -> object:
    """A read the handlers of one dispatch share (the request the receipt and the staff alerts
    render): loaded once, and again after anything in the dispatch writes an event (every change
    to a request is one) or a handler fails (its transaction may have rolled back). Outside a
    dispatch, loaded every time. For reads only: callers must not change what they get."""
    scope = _SCOPE.get()
    if scope is None:
        return load()
    held = scope.shared.get(key)
    if held is not None and held[0] == scope.writes:
        return held[1]
    value = load()
    scope.shared[key] = (scope.writes, value)
    return value


def dispatch_written() -> None:
    """Something in the running dispatch may have changed a request: drop the shared reads."""
    scope = _SCOPE.get()
    if scope is not None:
        scope.writes += 1


def dispatch_failed() -> None:
    """A handler failed (its transaction may have rolled back): drop the shared reads and the
    kept ones."""
    scope = _SCOPE.get()
    if scope is not None:
        scope.writes += 1
        scope.kept.clear()


def dispatch_keep(key: Hashable, value: object) -> None:
    """Keep ``value`` for the rest of the running dispatch (nothing outside one). For a read
    only handlers write during a dispatch, so that the handler that writes it can keep it
    current (``dispatch_drop``): unlike ``dispatch_shared``, the events the dispatch writes do
    not drop it (the request's message subscriptions, which routing's events do not touch)."""
    scope = _SCOPE.get()
    if scope is not None:
        scope.kept[key] = value


def dispatch_kept(key: Hashable) -> object | None:
    """What ``dispatch_keep`` kept under ``key`` in the running dispatch, or None."""
    scope = _SCOPE.get()
    return scope.kept.get(key) if scope is not None else None


def dispatch_drop(key: Hashable) -> None:
    scope = _SCOPE.get()
    if scope is not None:
        scope.kept.pop(key, None)


def request_share(request: ServiceRequest) -> None:
    """Offer the request a handler has just written and committed, whole and as it is in the
    table now, to the running dispatch's later readers (``request_shared``), saving them a read
    until anything else writes. Call after the writing block has closed without error."""
    scope = _SCOPE.get()
    if scope is not None:
        scope.shared[("request", request.pk)] = (scope.writes, request)


def request_shared(request_id: int) -> ServiceRequest | None:
    """The request as the running dispatch last wrote it (``request_share``), if nothing has
    written since; else None (read it)."""
    scope = _SCOPE.get()
    held = scope.shared.get(("request", request_id)) if scope is not None else None
    return held[1] if held is not None and held[0] == scope.writes else None


def event_copy(event: RequestEvent) -> RequestEvent:
    """A written event as a read of its row would give it: its columns only (no request or
    actor object the writer had in hand), its data as stored JSON."""
    values = {f.attname: getattr(event, f.attname) for f in RequestEvent._meta.concrete_fields}
    # A choice (Status.ROUTED) reads back as its plain string.
    values = {k: str(v) if isinstance(v, str) else v for k, v in values.items()}
    copy = RequestEvent(**values)
    copy.data = json.loads(json.dumps(event.data))
    copy._state.adding = False
    copy._state.db = event._state.db
    return copy


def handler_register(name: str, handler: EventHandler) -> None:
    if all(existing != name for existing, _ in _HANDLERS):
        _HANDLERS.append((name, handler))


def handlers() -> list[tuple[str, EventHandler]]:
    return list(_HANDLERS)


def event_dispatch_enqueue(event_id: int, *, event: RequestEvent | None = None) -> None:
    """After the writing transaction commits, hand the event to the workers; written by a
    handler in a worker, to the running dispatch, which handles it next if its transaction
    committed. ``event``: the row just written (saved, with its id), so the dispatch need not
    read it back."""
    scope = _SCOPE.get()
    if scope is not None:
        scope.writes += 1
        written = _Written()
        transaction.on_commit(written)
        scope.recorded.append((event_id, event_copy(event) if event is not None else None, written))
        return
    event_task_enqueue(event_id)


def event_task_enqueue(event_id: int) -> None:
    """A task of its own for the event, once the writing transaction commits."""

    def enqueue() -> None:
        from django_q.tasks import async_task

        async_task("requests_app.tasks.event_dispatch", event_id, task_name=f"event-{event_id}")

    transaction.on_commit(enqueue)


# --- Due times -----------------------------------------------------------------------------------
# The routing app knows service-level targets and business calendars; the core asks it through
# this one hook, and falls back to the category's round-the-clock targets when none is set.

DueTimes = tuple  # (response due, resolution due), aware datetimes
DueProvider = Callable[..., "DueTimes | None"]
_DUE_PROVIDER: list[DueProvider] = []


def due_provider_register(provider: DueProvider) -> None:
    _DUE_PROVIDER[:] = [provider]


def due_provider() -> DueProvider | None:
    return _DUE_PROVIDER[0] if _DUE_PROVIDER else None
