"""Messaging's reaction to request events: resident/follower updates, staff alerts, surveys.
Each part is idempotent (dedupe keys), so a re-delivered event sends nothing twice."""

from __future__ import annotations

from notifications.resident import on_event as resident_on_event
from notifications.staff_alerts import on_event as staff_on_event
from notifications.surveys import on_event as surveys_on_event
from requests_app.dispatch import event_get


def on_event(event_id: int) -> None:
    # The dispatch's copy, no join to the request: each part loads what it needs, and most
    # events need nothing.
    event = event_get(event_id)
    if event is None:
        return
    resident_on_event(event)
    staff_on_event(event)
    surveys_on_event(event)
