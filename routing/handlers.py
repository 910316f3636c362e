"""Routing's reaction to request events. Each part is idempotent: a re-delivered event is
harmless."""

from __future__ import annotations

from requests_app.dispatch import event_get
from routing.assignment import on_event as assignment_on_event
from routing.escalations import on_event as escalations_on_event
from routing.scoring import on_event as scoring_on_event
from routing.services import on_event as routing_on_event


def on_event(event_id: int) -> None:
    event = event_get(event_id)
    if event is None:
        return
    # Order matters: route first (department, team), then score (priority), then auto-assign a
    # person, and last schedule the escalation sweep from the resulting due dates (once, after the
    # last event the task handles: routing.escalations.on_event).
    # A new request is scored in routing's own transaction (one lock, one UPDATE, one INSERT);
    # when routing did not route it (a re-delivered event), scoring runs on its own as ever.
    if not routing_on_event(event):
        scoring_on_event(event)
    assignment_on_event(event)
    escalations_on_event(event)
