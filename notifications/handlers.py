from __future__ import annotations

from notifications.services import confirmation_queue, staff_alert_queue
from requests_app.models import RequestEvent


def on_event(event_id: int) -> None:
    event = RequestEvent.objects.filter(pk=event_id).only("type", "request_id").first()
    if event is None:
        return
    if event.type == RequestEvent.Type.CREATED:
        confirmation_queue(event_id=event_id)
    elif event.type == RequestEvent.Type.ESCALATED:
        staff_alert_queue(event_id=event_id)
