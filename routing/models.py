"""Business calendars and service-level targets.

The arithmetic lives in ``routing.calendars`` and works on a plain ``CalendarSpec``; these models
only store what admins enter."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from requests_app.models import Category, Priority
from routing.calendars import CalendarSpec, Pause, calendar_spec_from_model, clock_add

UNKNOWN_TIME_ZONE = _("Unknown time zone.")
UNKNOWN_COUNTRY = _("The holidays package has no public holidays for this country code.")
UNKNOWN_SUBDIVISION = _("Unknown subdivision for this country.")
SUBDIVISION_WITHOUT_COUNTRY = _("A subdivision needs a country.")
END_BEFORE_START = _("The end must be after the start (00:00 means midnight at the end of day).")
BUSINESS_CLOCK_NEEDS_CALENDAR = _("Targets counted in business hours need a business calendar.")


def city_time_zone() -> str:
    return settings.CITY_TIME_ZONE


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class BusinessCalendar(models.Model):
    """Weekly working hours in a time zone, minus public holidays and closures."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(
        max_length=64, default=city_time_zone, help_text=_("IANA name, e.g. America/Los_Angeles.")
    )
    holiday_country = models.CharField(
        max_length=3,
        blank=True,
        help_text=_("ISO country code for public holidays, e.g. US or ES; blank for none."),
    )
    holiday_subdivision = models.CharField(
        max_length=10, blank=True, help_text=_("State or region code, e.g. CA or MD; optional.")
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, object] = {}
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            errors["time_zone"] = UNKNOWN_TIME_ZONE
        self.holiday_country = self.holiday_country.strip().upper()
        self.holiday_subdivision = self.holiday_subdivision.strip().upper()
        supported = holidays.list_supported_countries()
        if self.holiday_country and self.holiday_country not in supported:
            errors["holiday_country"] = UNKNOWN_COUNTRY
        elif self.holiday_subdivision and not self.holiday_country:
            errors["holiday_subdivision"] = SUBDIVISION_WITHOUT_COUNTRY
        elif self.holiday_subdivision and self.holiday_subdivision not in {
            code.upper() for code in supported[self.holiday_country]
        }:
            errors["holiday_subdivision"] = UNKNOWN_SUBDIVISION
        if errors:
            raise ValidationError(errors)

    def spec(self) -> CalendarSpec:
        """The calendar as a plain spec for the clock arithmetic (two queries)."""
        return calendar_spec_from_model(self)


class WorkingHours(models.Model):
    """One working interval of a weekday; several per day make split shifts."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField(help_text=_("00:00 means midnight at the end of the day."))

    class Meta:
        ordering = ["calendar", "weekday", "start"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")) | Q(end=time(0)),
                name="routing_workinghours_end_after_start",
                violation_error_message=END_BEFORE_START,
            ),
            models.CheckConstraint(
                condition=Q(weekday__lte=6), name="routing_workinghours_weekday_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class CalendarClosure(models.Model):
    """A whole day off entered by an admin (a snow day, a local holiday)."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="closures"
    )
    date = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["calendar", "date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="routing_closure_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class Clock(models.TextChoices):
    AROUND_THE_CLOCK = "24x7", _("Around the clock")
    BUSINESS = "business", _("Business hours")


class SlaTargetQuerySet(models.QuerySet):
    def for_request(self, *, category_id: int, priority: str) -> SlaTarget | None:
        """The target for a category and priority: the row for that priority, else the
        category's any-priority row (blank), else None. One query."""
        # "" sorts before every priority value, so descending puts the exact match first.
        return (
            self.select_related("calendar")
            .filter(category_id=category_id, priority__in=[priority, ""])
            .order_by("-priority")
            .first()
        )


class SlaTarget(models.Model):
    """Time to first action and time to resolve for a category (and optionally a priority)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="sla_targets")
    priority = models.CharField(
        max_length=10,
        choices=Priority.choices,
        blank=True,
        help_text=_("Blank means any priority without a target of its own."),
    )
    response_hours = models.FloatField(
        validators=[MinValueValidator(0)], help_text=_("Time to first action (acknowledge/assign).")
    )
    resolution_hours = models.FloatField(
        validators=[MinValueValidator(0)], help_text=_("Time to resolve.")
    )
    clock = models.CharField(max_length=10, choices=Clock.choices, default=Clock.BUSINESS)
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sla_targets",
        help_text=_("Required for business-hours targets."),
    )

    objects = SlaTargetQuerySet.as_manager()

    class Meta:
        ordering = ["category", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "priority"], name="routing_slatarget_one_per_priority"
            ),
            models.CheckConstraint(
                condition=Q(clock=Clock.AROUND_THE_CLOCK) | Q(calendar__isnull=False),
                name="routing_slatarget_business_has_calendar",
                violation_error_message=BUSINESS_CLOCK_NEEDS_CALENDAR,
            ),
            models.CheckConstraint(
                condition=Q(response_hours__gte=0) & Q(resolution_hours__gte=0),
                name="routing_slatarget_hours_not_negative",
            ),
        ]

    def __str__(self) -> str:
        priority = self.get_priority_display() if self.priority else _("any priority")
        return f"{self.category} / {priority}"

    def clean(self) -> None:
        if self.clock == Clock.BUSINESS and self.calendar_id is None:
            raise ValidationError({"calendar": BUSINESS_CLOCK_NEEDS_CALENDAR})

    def calendar_spec(self) -> CalendarSpec | None:
        """The spec this target's clock counts in (None for around the clock)."""
        if self.clock == Clock.AROUND_THE_CLOCK or self.calendar is None:
            return None
        return calendar_spec_from_model(self.calendar)

    def due_times(
        self,
        *,
        start: datetime,
        pauses: Sequence[Pause] = (),
        calendar_spec: CalendarSpec | None = None,
    ) -> tuple[datetime, datetime]:
        """(response due, resolution due) for a request received at ``start``.

        Pass ``calendar_spec`` to reuse one already built; otherwise a business-hours target
        builds it from its calendar (two queries)."""
        if self.clock == Clock.AROUND_THE_CLOCK:
            spec = None
        else:
            spec = calendar_spec if calendar_spec is not None else self.calendar_spec()
        return (
            clock_add(start=start, hours=self.response_hours, pauses=pauses, calendar_spec=spec),
            clock_add(start=start, hours=self.resolution_hours, pauses=pauses, calendar_spec=spec),
        )
