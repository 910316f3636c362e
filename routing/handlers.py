from __future__ import annotations

from requests_app.models import RequestEvent
from routing.services import request_route_by_rules


def on_event(event_id: int) -> None:
    event = RequestEvent.objects.filter(pk=event_id).only("type", "request_id").first()
    if event and event.type == RequestEvent.Type.CREATED:
        request_route_by_rules(request_id=event.request_id)
