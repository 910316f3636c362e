"""Business calendars and service-level targets.

The arithmetic lives in ``routing.calendars`` and works on a plain ``CalendarSpec``; these models
only store what admins enter."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from django.conf import settings
from django.contrib.gis.db import models as gis
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from requests_app.models import Category, Priority
from routing.calendars import CalendarSpec, Pause, clock_add

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
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
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
        """The calendar as a plain spec for the clock arithmetic: one query for its hours, one for
        its closures. Built here so routing.calendars stays free of models."""
        weekly: list[list[tuple[time, time]]] = [[] for _ in range(7)]
        for weekday, start, end in self.working_hours.values_list("weekday", "start", "end"):
            weekly[weekday].append((start, end))
        return CalendarSpec(
            zone=self.time_zone,
            weekly_hours=tuple(tuple(sorted(day)) for day in weekly),
            holiday_country=self.holiday_country,
            holiday_subdivision=self.holiday_subdivision,
            closures=frozenset(self.closures.values_list("date", flat=True)),
        )


class WorkingHours(models.Model):
    """One working interval of a weekday; several per day make split shifts."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"), help_text=_("00:00 means midnight at the end of the day."))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["calendar", "weekday", "start"]
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
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("calendar closure")
        verbose_name_plural = _("calendar closures")
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

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="sla_targets"
    )
    priority = models.CharField(
        _("priority"),
        max_length=10,
        choices=Priority.choices,
        blank=True,
        help_text=_("Blank means any priority without a target of its own."),
    )
    response_hours = models.FloatField(
        _("hours to first action"),
        validators=[MinValueValidator(0)],
        help_text=_("Time to first action (acknowledge/assign)."),
    )
    resolution_hours = models.FloatField(
        _("hours to resolution"), validators=[MinValueValidator(0)], help_text=_("Time to resolve.")
    )
    clock = models.CharField(
        _("clock"), max_length=10, choices=Clock.choices, default=Clock.BUSINESS
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("calendar"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sla_targets",
        help_text=_("Required for business-hours targets."),
    )

    objects = SlaTargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
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

    @property
    def calendar_spec_needed(self) -> bool:
        return self.clock != Clock.AROUND_THE_CLOCK and self.calendar_id is not None

    def calendar_spec(self) -> CalendarSpec | None:
        """The spec this target's clock counts in (None for around the clock)."""
        if not self.calendar_spec_needed:
            return None
        return self.calendar.spec()

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


# --- Routing rules -------------------------------------------------------------------------------

RULE_TEAM_NEEDS_DEPARTMENT = _("The team must belong to the department this rule routes to.")
RULE_ANSWER_NEEDS_CODE = _("An expected answer needs the question code.")
RULE_UNKNOWN_CHANNEL = _("Unknown channel: %(channel)s.")
RULE_BAD_WEEKDAYS = _("Weekdays are a list of numbers 0 (Monday) to 6 (Sunday).")
RULE_WINDOW_NEEDS_BOTH = _("A time window needs both a start and an end.")


def csv_values(text: str) -> list[str]:
    """Comma-separated admin input as a list of trimmed, non-empty values."""
    return [part.strip() for part in text.split(",") if part.strip()]


class RoutingRule(models.Model):
    """An admin-managed rule: conditions (all optional, ANDed) and actions (all optional).

    Rules are tried in ``order``; for each action type the first matching rule that has that
    action wins (see ``routing.rules``)."""

    name = models.CharField(max_length=120)
    order = models.PositiveIntegerField(default=100, help_text=_("Lower runs first."))
    active = models.BooleanField(default=True)

    # Conditions: blank means "any".
    categories = models.ManyToManyField(Category, blank=True, related_name="routing_rules")
    category_groups = models.ManyToManyField(
        "requests_app.CategoryGroup", blank=True, related_name="routing_rules"
    )
    areas = models.ManyToManyField(
        "requests_app.Area",
        blank=True,
        related_name="routing_rules",
        help_text=_("Matches when the request's point is inside any of these areas."),
    )
    keywords = models.CharField(
        max_length=400,
        blank=True,
        help_text=_("Comma-separated; any one found in the description matches."),
    )
    answer_code = models.SlugField(max_length=60, blank=True, help_text=_("Question code."))
    answer_value = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Expected answer (for multiple-choice answers: one of the picked keys)."),
    )
    channels = models.CharField(
        max_length=100, blank=True, help_text=_("Comma-separated, e.g. phone, web.")
    )
    asset_types = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Comma-separated asset types; matches when the resident picked such an asset."),
    )
    weekdays = models.JSONField(
        default=list, blank=True, help_text=_("List of 0 (Monday) to 6 (Sunday); empty for any.")
    )
    time_start = models.TimeField(
        null=True, blank=True, help_text=_("City local time; the window may wrap past midnight.")
    )
    time_end = models.TimeField(null=True, blank=True)

    # Actions: blank means "leave to a later rule or the default".
    department = models.ForeignKey(
        "requests_app.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="routing_rules",
    )
    team = models.ForeignKey(
        "requests_app.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="routing_rules",
        help_text=_("Assigned only when the request ends up in the team's department."),
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, blank=True)
    tag = models.SlugField(max_length=60, blank=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from requests_app.models import Channel

        errors: dict[str, object] = {}
        if self.answer_value and not self.answer_code:
            errors["answer_code"] = RULE_ANSWER_NEEDS_CODE
        unknown = [c for c in csv_values(self.channels) if c not in Channel.values]
        if unknown:
            errors["channels"] = RULE_UNKNOWN_CHANNEL % {"channel": ", ".join(unknown)}
        if not isinstance(self.weekdays, list) or any(
            not isinstance(d, int) or not 0 <= d <= 6 for d in self.weekdays
        ):
            errors["weekdays"] = RULE_BAD_WEEKDAYS
        if (self.time_start is None) != (self.time_end is None):
            errors["time_end"] = RULE_WINDOW_NEEDS_BOTH
        if self.team_id and self.department_id and self.team.department_id != self.department_id:
            errors["team"] = RULE_TEAM_NEEDS_DEPARTMENT
        if errors:
            raise ValidationError(errors)


# --- Auto-assignment ------------------------------------------------------------------------------


class CrewZone(models.Model):
    """A team member (a crew) owns an area: the "by zone" strategy picks them for requests in it."""

    team = models.ForeignKey(
        "requests_app.Team", on_delete=models.CASCADE, related_name="crew_zones"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="crew_zones"
    )
    area = models.ForeignKey("requests_app.Area", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("crew zone")
        verbose_name_plural = _("crew zones")
        ordering = ["team", "area__name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "area"], name="routing_crewzone_one_owner")
        ]

    def __str__(self) -> str:
        return f"{self.team.name}: {self.area.name} → {self.member}"


# --- Escalations ---------------------------------------------------------------------------------


class EscalationPolicy(models.Model):
    """Steps that fire when a request sits idle or uses up its target.

    The most specific active policy applies: one listing the request's category, else one for its
    department, else one with neither (city-wide)."""

    name = models.CharField(max_length=120)
    active = models.BooleanField(default=True)
    department = models.ForeignKey(
        "requests_app.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="escalation_policies",
    )
    categories = models.ManyToManyField(Category, blank=True, related_name="escalation_policies")

    class Meta:
        verbose_name = _("escalation policy")
        verbose_name_plural = _("escalation policies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EscalationStep(models.Model):
    class Trigger(models.TextChoices):
        IDLE = "idle", _("No staff action for a number of hours")
        TARGET_PERCENT = "target_percent", _("A share of the target used")

    class Target(models.TextChoices):
        RESPONSE = "response", _("Time to first action")
        RESOLUTION = "resolution", _("Time to resolve")

    class Notify(models.TextChoices):
        NOBODY = "", _("Nobody")
        ASSIGNEE = "assignee", _("The assignee (or the team if nobody is assigned)")
        SUPERVISORS = "supervisors", _("The department's supervisors")
        DEPARTMENT_HEAD = "department_head", _("The department head")

    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(_("name"), max_length=120)
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    target = models.CharField(
        _("target"), max_length=12, choices=Target.choices, default=Target.RESOLUTION, blank=True
    )
    value = models.FloatField(
        _("value"),
        validators=[MinValueValidator(0)],
        help_text=_("Hours without action (idle), or percent of the target used (e.g. 75, 100)."),
    )
    notify = models.CharField(_("notify"), max_length=20, choices=Notify.choices, blank=True)
    raise_priority = models.BooleanField(
        _("raise priority"), default=False, help_text=_("Raise priority one band.")
    )
    reassign_team = models.ForeignKey(
        "requests_app.Team",
        verbose_name=_("reassign to team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Move the request to this team's queue, e.g. a supervisors' team."),
    )

    class Meta:
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        ordering = ["policy", "trigger", "value"]

    def __str__(self) -> str:
        return f"{self.policy.name}: {self.name}"


class EscalationFired(models.Model):
    """The claim that makes a step fire exactly once per request and threshold: inserting this row
    (unique on request, step, occurrence) is what a sweep does first; a second sweep's insert fails.
    ``occurrence`` separates repeats of an idle reminder (one per idle stretch)."""

    request = models.ForeignKey(
        "requests_app.ServiceRequest", on_delete=models.CASCADE, related_name="escalations"
    )
    step = models.ForeignKey(EscalationStep, on_delete=models.CASCADE, related_name="fired")
    occurrence = models.CharField(max_length=40, blank=True)
    fired_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("fired escalation step")
        verbose_name_plural = _("fired escalation steps")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "step", "occurrence"], name="routing_escalation_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.step} on {self.request_id}"


# --- Priority scoring ----------------------------------------------------------------------------


class ScoringSettings(models.Model):
    """The weights of the priority score (one row). Category base severity lives on categories."""

    enabled = models.BooleanField(default=True)
    supporter_points = models.PositiveSmallIntegerField(
        default=5, help_text=_("Points per resident who reported the same problem.")
    )
    supporter_cap = models.PositiveSmallIntegerField(default=25)
    age_points_per_day = models.FloatField(default=1, validators=[MinValueValidator(0)])
    age_cap = models.PositiveSmallIntegerField(default=20)
    urgent_at = models.PositiveSmallIntegerField(default=80, help_text=_("Score for Urgent."))
    high_at = models.PositiveSmallIntegerField(default=50, help_text=_("Score for High."))
    # 0 by default: until an admin sets weights, nothing drops to Low on a score of 0.
    normal_at = models.PositiveSmallIntegerField(
        default=0, help_text=_("Score for Normal; below it is Low.")
    )

    class Meta:
        verbose_name = _("priority score settings")
        verbose_name_plural = _("priority score settings")

    def __str__(self) -> str:
        return "Priority scoring"


class ScoreKeyword(models.Model):
    word = models.CharField(max_length=60, unique=True, help_text=_("A word or phrase."))
    points = models.SmallIntegerField(default=10)

    class Meta:
        verbose_name = _("score keyword")
        verbose_name_plural = _("score keywords")
        ordering = ["word"]

    def __str__(self) -> str:
        return f"{self.word} ({self.points:+d})"


class SensitivePlace(models.Model):
    """A school, hospital, care home... Requests within ``radius_m`` score ``points`` more."""

    kind = models.CharField(max_length=40, help_text=_("e.g. school, hospital"))
    name = models.CharField(max_length=200)
    location = gis.PointField(geography=True, srid=4326)
    radius_m = models.PositiveIntegerField(default=150)
    points = models.SmallIntegerField(default=15)
    source = models.CharField(max_length=120, blank=True)

    class Meta:
        verbose_name = _("sensitive place")
        verbose_name_plural = _("sensitive places")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"
