"""Messages to residents and followers (placeholder: today only the receipt email)."""

from __future__ import annotations

from notifications.services import confirmation_queue
from requests_app.models import RequestEvent


def on_event(event: RequestEvent) -> None:
    if event.type == RequestEvent.Type.CREATED:
        confirmation_queue(event_id=event.pk)
