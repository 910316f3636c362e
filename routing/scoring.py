"""Placeholder: filled in by the scoring work."""

from __future__ import annotations

from requests_app.models import RequestEvent


def on_event(event: RequestEvent) -> None:
    """React to one request event (idempotent)."""
    return None


def scores_refresh() -> int:
    """Placeholder: re-score open requests; returns how many changed."""
    return 0
