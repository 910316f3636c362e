"""Service-level due times for the core (registered as its due-time provider)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from requests_app.configcache import config_cached
from requests_app.models import Category
from routing.calendars import CalendarSpec, Pause
from routing.models import SlaTarget

SlaTable = dict[tuple[int, str], tuple[SlaTarget, CalendarSpec | None]]


def sla_table_load() -> SlaTable:
    """Every target with its calendar's spec, keyed by (category id, priority): one query for
    the targets and two per business calendar, once per admin edit (see configcache)."""
    specs: dict[int, CalendarSpec] = {}
    table: SlaTable = {}
    for target in SlaTarget.objects.select_related("calendar"):
        spec = None
        if target.calendar_spec_needed:
            if target.calendar_id not in specs:
                specs[target.calendar_id] = target.calendar.spec()
            spec = specs[target.calendar_id]
        table[(target.category_id, target.priority)] = (target, spec)
    return table


def sla_target_for(*, category_id: int, priority: str) -> tuple[SlaTarget, CalendarSpec | None]:
    """The target for a category and priority with its calendar spec, as
    SlaTarget.objects.for_request chooses it (the priority's row, else the any-priority row),
    or (None, None). From the per-process copy: no query while nothing was edited."""
    table = config_cached("routing.sla", sla_table_load)
    return table.get((category_id, priority)) or table.get((category_id, "")) or (None, None)


def due_times_for(
    *,
    priority: str,
    start: datetime,
    pauses: Sequence[Pause] = (),
    category: Category | None = None,
    category_id: int | None = None,
) -> tuple[datetime, datetime] | None:
    """(first action due, resolution due) from the SLA target for this category and priority,
    in business hours when the target says so; None when the category has no target (the core
    then uses the category's own round-the-clock hours). Give ``category_id`` to spare loading
    the category."""
    if category_id is None:
        category_id = category.pk if category is not None else None
    target, spec = sla_target_for(category_id=category_id, priority=priority)
    if target is None:
        return None
    return target.due_times(start=start, pauses=pauses, calendar_spec=spec)
