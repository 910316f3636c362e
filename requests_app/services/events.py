"""The request event log: every change to a request is appended here, in its transaction."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from requests_app.dispatch import event_dispatch_enqueue
from requests_app.models import RequestEvent, ServiceRequest

Actor = AbstractBaseUser | None


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
    event = RequestEvent.objects.create(
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
    event_dispatch_enqueue(event.id)
    return event
