"""Limits for numbers and dates typed by people, shared by every form and selector that reads
them.

Python's `date` stops at year 9999 and PostgreSQL's `bigint` at 2**63 - 1: a year 9999 date that
is moved to UTC, a day added to it, or a page number multiplied by the page size, is a 500 rather
than an error message. Nothing a resident or staff member means lies outside 2000..2100 (in the
city's zone), past row id 2**63 - 1, or beyond page 10,000, so values outside are refused with a
clear message (forms) or clamped (page numbers, which a link may carry)."""

from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

YEAR_MIN, YEAR_MAX = 2000, 2100
ID_MAX = 2**63 - 1  # PostgreSQL bigint, the type of every primary key
PAGE_MAX = 10_000

DATE_OUT_OF_RANGE = gettext_lazy("Enter a date between %(min)s and %(max)s.")


def _date_out_of_range() -> ValidationError:
    return ValidationError(
        DATE_OUT_OF_RANGE, code="date_range", params={"min": YEAR_MIN, "max": YEAR_MAX}
    )


def year_in_range(value: date | datetime) -> bool:
    return YEAR_MIN <= value.year <= YEAR_MAX


def page_number(raw: object, *, last: int = PAGE_MAX) -> int:
    """A page number from a query string: 1 for anything that is not a number, clamped to
    1..last."""
    try:
        page = int(str(raw).strip()[:12]) if raw not in (None, "") else 1
    except ValueError:
        return 1
    return min(max(page, 1), last)


def id_or_none(raw: object) -> int | None:
    """A row id from a query string, or None for anything that could not be one."""
    text = str(raw or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if 1 <= value <= ID_MAX else None


class BoundedDateField(forms.DateField):
    """A date in YEAR_MIN..YEAR_MAX."""

    def to_python(self, value):
        result = super().to_python(value)
        if result is not None and not year_in_range(result):
            raise _date_out_of_range()
        return result


class BoundedDateTimeField(forms.DateTimeField):
    """A date and time in YEAR_MIN..YEAR_MAX, checked before it is converted to UTC (which
    overflows at the ends of Python's calendar)."""

    def to_python(self, value):
        try:
            result = super().to_python(value)
        except OverflowError as error:
            raise _date_out_of_range() from error
        if result is not None and not year_in_range(result):
            raise _date_out_of_range()
        return result


class IdField(forms.IntegerField):
    """A row id: 1..ID_MAX, so a filter on it never overflows the database's bigint."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)
