"""Placeholder: filled in by the escalations work."""

from __future__ import annotations

from requests_app.models import RequestEvent


def on_event(event: RequestEvent) -> None:
    """React to one request event (idempotent)."""
    return None


def escalations_sweep() -> int:
    """Placeholder: fire due steps; returns how many fired."""
    return 0
