"""Service-level due times for the core (registered as its due-time provider)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from requests_app.configcache import config_cached
from requests_app.models import Category, Priority
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


@dataclass(frozen=True)
class TargetInEffect:
    """The service level the due-date code applies to one priority of a category."""

    priority: str
    response_hours: float
    resolution_hours: float
    business_hours: bool  # counted on ``calendar_name``'s working hours, else around the clock
    calendar_name: str
    fallback: bool  # the category's own hours: no SLA target covers this priority


def sla_targets_in_effect(*, category: Category) -> list[TargetInEffect]:
    """For each priority, the target due_times_for uses (the same per-process table), else the
    category's fallback hours that the core then counts around the clock: what the admin shows,
    so it can never disagree with the due dates."""
    found = []
    for priority in Priority.values:
        target, _spec = sla_target_for(category_id=category.pk, priority=priority)
        if target is None:
            response, resolution = category.response_target_hours, category.resolution_target_hours
        else:
            response, resolution = target.response_hours, target.resolution_hours
        business = target is not None and target.calendar_spec_needed
        found.append(
            TargetInEffect(
                priority=priority,
                response_hours=response,
                resolution_hours=resolution,
                business_hours=business,
                calendar_name=target.calendar.name if business else "",
                fallback=target is None,
            )
        )
    return found
