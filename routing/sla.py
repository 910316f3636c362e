"""Service-level due times for the core (registered as its due-time provider)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from requests_app.models import Category
from routing.calendars import Pause
from routing.models import SlaTarget


def due_times_for(
    *, category: Category, priority: str, start: datetime, pauses: Sequence[Pause] = ()
) -> tuple[datetime, datetime] | None:
    """(first action due, resolution due) from the SLA target for this category and priority,
    in business hours when the target says so; None when the category has no target (the core
    then uses the category's own round-the-clock hours)."""
    target = SlaTarget.objects.for_request(category_id=category.pk, priority=priority)
    if target is None:
        return None
    return target.due_times(start=start, pauses=pauses)
