"""Placeholder for the surveys part of messaging."""

from __future__ import annotations

from requests_app.models import RequestEvent


def on_event(event: RequestEvent) -> None:
    """React to one request event (idempotent)."""
    return None
