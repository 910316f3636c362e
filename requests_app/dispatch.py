"""The handler registry: the core records events and other apps react to them.

Apps register in their AppConfig.ready(); the core never imports them. Each handler receives the
event id and must be idempotent (a task can be delivered twice).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

EventHandler = Callable[[int], None]
_HANDLERS: list[tuple[str, EventHandler]] = []


def handler_register(name: str, handler: EventHandler) -> None:
    if all(existing != name for existing, _ in _HANDLERS):
        _HANDLERS.append((name, handler))


def handlers() -> list[tuple[str, EventHandler]]:
    return list(_HANDLERS)


def event_dispatch_enqueue(event_id: int) -> None:
    """After the writing transaction commits, hand the event to the workers."""

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
