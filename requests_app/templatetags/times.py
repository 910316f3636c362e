"""Times on resident pages: machine-readable for `<time datetime="...">`, and the short
day-and-time the tracker shows."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.translation import get_language

register = template.Library()

# `<time datetime>`'s format: what `|date:'Y-m-d\\TH:i:sO'` gives.
ISO_TIME = "%Y-%m-%dT%H:%M:%S%z"

# Month abbreviations as `|date:"M"` gives them, per language: the catalogues do not change while
# the process runs.
_MONTHS: dict[str | None, tuple[str, ...]] = {}


@register.filter
def isotime(value: datetime | None) -> str:
    """The same text as `|date:'Y-m-d\\TH:i:sO'` (in the active time zone), by strftime: Django's
    format parser was a fifth of the public list's rendering, twice per row."""
    if not isinstance(value, datetime):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime(ISO_TIME)


@register.filter(expects_localtime=True)
def day_time(value: datetime | None) -> str:
    """The same text as `|date:"j M Y, H:i"` ("6 Dec 2026, 14:05"; the month in the reader's
    language), without Django's format parser: the tracker shows a dozen of these, and parsing
    the format for each was ~0.3 ms of its CPU. The template has already put the value in the
    active time zone (expects_localtime), as it does for `|date`."""
    if not isinstance(value, datetime):
        return ""
    language = get_language()
    months = _MONTHS.get(language)
    if months is None:
        months = _MONTHS[language] = ("", *(str(MONTHS_3[m]).title() for m in range(1, 13)))
    return (
        f"{value.day} {months[value.month]} {value.year:04d}, {value.hour:02d}:{value.minute:02d}"
    )
