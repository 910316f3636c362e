"""Times in templates, through requests_app.when (one formatter for every date a person reads):
machine-readable for `<time datetime="...">`, the short day-and-time, and dates in words. Each
converts to the city's zone itself, so a message rendered by a worker (which runs in UTC) shows
the same day as the page."""

from __future__ import annotations

from datetime import date, datetime

from django import template

from requests_app.when import LONG, SHORT, when_date, when_datetime, when_iso

register = template.Library()


@register.filter
def isotime(value: datetime | None) -> str:
    """The same text as `|date:'Y-m-d\\TH:i:sO'`, on the city's clock."""
    return when_iso(value)


@register.filter
def day_time(value: datetime | None) -> str:
    """ "6 Dec 2026, 14:05" ("6 dic 2026, 14:05"): the month in the reader's language, on the
    city's clock."""
    return when_datetime(value)


@register.filter(name="when_date")
def when_date_filter(value: datetime | date | None, style: str = LONG) -> str:
    """`{{ sr.expected_at|when_date }}`: "Wednesday 16 December 2026" (`|when_date:"short"`:
    "16 Dec 2026")."""
    return when_date(value, style=style if style in (LONG, SHORT) else LONG)


@register.filter(name="when_datetime")
def when_datetime_filter(value: datetime | None, style: str = SHORT) -> str:
    """`{{ at|when_datetime }}`: "16 Dec 2026, 19:00" (`|when_datetime:"long"`: "Wednesday
    16 December 2026, 19:00"; `|when_datetime:"brief"`: "16 Dec, 19:00", for this year's times
    in a busy row)."""
    if style == "brief":
        return when_datetime(value, year=False)
    return when_datetime(value, style=style if style in (LONG, SHORT) else SHORT)
