"""The routing app's section of a city pack: business calendars (working hours, public holidays,
closures) in calendars.toml and per-priority service levels in service-levels.toml.

Registered with the core's loader from RoutingConfig.ready(), so the core never imports routing.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from requests_app.citypack import CityPack, LoadLog, citypack_section_register, row_upsert
from requests_app.models import Category, Priority
from routing.models import BusinessCalendar, CalendarClosure, Clock, SlaTarget, WorkingHours

CALENDARS = "calendars.toml"
SERVICE_LEVELS = "service-levels.toml"
CATEGORIES = "categories.toml"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PRIORITY_KEYS = ["any", *Priority.values]
CODE = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
HOURS_PATTERN = r"^\s*\d{2}:\d{2}\s*-\s*\d{2}:\d{2}\s*(,\s*\d{2}:\d{2}\s*-\s*\d{2}:\d{2}\s*)*$"

SCHEMAS = {
    CALENDARS: {
        "type": "object",
        "propertyNames": {"pattern": CODE},
        "additionalProperties": {
            "type": "object",
            "required": ["name"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 100},
                "time_zone": {"type": "string"},
                "holidays": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "country": {"type": "string", "maxLength": 3},
                        "subdivision": {"type": "string", "maxLength": 10},
                    },
                },
                "hours": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        day: {"type": "string", "pattern": HOURS_PATTERN} for day in WEEKDAYS
                    },
                },
                "closures": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["date", "name"],
                        "additionalProperties": False,
                        "properties": {
                            # tomllib gives dates as datetime.date, which JSON Schema calls an
                            # object; checked in calendars_validate instead.
                            "date": {},
                            "name": {"type": "string", "minLength": 1, "maxLength": 100},
                        },
                    },
                },
            },
        },
    },
    SERVICE_LEVELS: {
        "type": "object",
        "propertyNames": {"pattern": CODE},
        "additionalProperties": {
            "type": "object",
            "propertyNames": {"enum": PRIORITY_KEYS},
            "additionalProperties": {
                "type": "object",
                "required": ["response_hours", "resolution_hours"],
                "additionalProperties": False,
                "properties": {
                    "response_hours": {"type": "number", "minimum": 0},
                    "resolution_hours": {"type": "number", "minimum": 0},
                    "clock": {"enum": list(Clock.values)},
                    "calendar": {"type": "string"},
                },
            },
        },
    },
}


def _intervals(text: str) -> list[tuple[dt.time, dt.time]]:
    out = []
    for piece in text.split(","):
        start, end = (dt.time.fromisoformat(t.strip()) for t in piece.split("-"))
        out.append((start, end))
    return out


def calendars_validate(pack: CityPack) -> None:
    city_zone = pack.city.get("time_zone", "UTC")
    for code, cal in pack.table(CALENDARS).items():
        holidays_ = cal.get("holidays") or {}
        probe = BusinessCalendar(
            name=cal["name"],
            time_zone=cal.get("time_zone", city_zone),
            holiday_country=holidays_.get("country", ""),
            holiday_subdivision=holidays_.get("subdivision", ""),
        )
        try:
            probe.clean()
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                key = {
                    "time_zone": "time_zone",
                    "holiday_country": "holidays.country",
                    "holiday_subdivision": "holidays.subdivision",
                }.get(field_name, field_name)
                pack.problem(
                    CALENDARS,
                    f"{code}.{key}",
                    " ".join(messages),
                    "Use an IANA time zone, and country/subdivision codes of the holidays "
                    "package (e.g. US and CA).",
                )
        for day, text in (cal.get("hours") or {}).items():
            try:
                for start, end in _intervals(text):
                    if not (end > start or end == dt.time(0)):
                        raise ValueError
            except ValueError:
                pack.problem(
                    CALENDARS,
                    f"{code}.hours.{day}",
                    f"{text!r} is not a working time such as 08:00-17:00.",
                    'Write "HH:MM-HH:MM" (end after start; 00:00 ends at midnight), split shifts '
                    'separated by commas: "08:00-12:00, 13:00-17:00".',
                )
        for i, closure in enumerate(cal.get("closures") or []):
            if not isinstance(closure.get("date"), dt.date) or isinstance(
                closure.get("date"), dt.datetime
            ):
                pack.problem(
                    CALENDARS,
                    f"{code}.closures[{i}].date",
                    f"{closure.get('date')!r} is not a date.",
                    "Write a bare TOML date: date = 2026-12-24 (no quotes).",
                )
    calendars = pack.table(CALENDARS)
    categories = pack.table(CATEGORIES)
    for code, levels in pack.table(SERVICE_LEVELS).items():
        if code not in categories and not Category.objects.filter(code=code).exists():
            pack.problem(
                SERVICE_LEVELS,
                code,
                f"Unknown category {code!r}.",
                "Use a category code from categories.toml.",
            )
        for priority, level in levels.items():
            key = f"{code}.{priority}"
            clock = level.get("clock", Clock.BUSINESS)
            calendar = level.get("calendar")
            if clock == Clock.BUSINESS and not calendar:
                pack.problem(
                    SERVICE_LEVELS,
                    key,
                    "A business-hours service level needs a calendar.",
                    f'Add calendar = "..." (one of: {", ".join(calendars) or "none yet"}), '
                    'or clock = "24x7".',
                )
            elif calendar and calendar not in calendars:
                pack.problem(
                    SERVICE_LEVELS,
                    f"{key}.calendar",
                    f"Unknown calendar {calendar!r}.",
                    f"Use a calendar from calendars.toml ({', '.join(calendars) or 'none yet'}).",
                )


def calendars_load(pack: CityPack, log: LoadLog) -> None:
    """Calendars by name (with their working hours, replaced when the pack's differ, and closures
    by date), then service levels by (category, priority)."""
    city_zone = pack.city.get("time_zone", "UTC")
    calendars: dict[str, BusinessCalendar] = {}
    for code, cal in pack.table(CALENDARS).items():
        holidays_ = cal.get("holidays") or {}
        calendar = row_upsert(
            BusinessCalendar,
            lookup={"name": cal["name"]},
            values={
                "time_zone": cal.get("time_zone", city_zone),
                "holiday_country": holidays_.get("country", "").upper(),
                "holiday_subdivision": holidays_.get("subdivision", "").upper(),
            },
            log=log,
            label="calendars",
        )
        calendars[code] = calendar
        wanted = sorted(
            (WEEKDAYS.index(day), start, end)
            for day, text in (cal.get("hours") or {}).items()
            for start, end in _intervals(text)
        )
        have = sorted(calendar.working_hours.values_list("weekday", "start", "end"))
        if wanted != have:
            # Working hours are one value of the calendar: the pack's replace the stored ones.
            calendar.working_hours.all().delete()
            WorkingHours.objects.bulk_create(
                WorkingHours(calendar=calendar, weekday=d, start=s, end=e) for d, s, e in wanted
            )
            log.count("working hours", "updated" if have else "created", len(wanted))
        for closure in cal.get("closures") or []:
            row_upsert(
                CalendarClosure,
                lookup={"calendar": calendar, "date": closure["date"]},
                values={"name": closure["name"]},
                log=log,
                label="calendar closures",
            )
    for code, levels in pack.table(SERVICE_LEVELS).items():
        category = Category.objects.get(code=code)
        for priority, level in levels.items():
            clock = level.get("clock", Clock.BUSINESS)
            row_upsert(
                SlaTarget,
                lookup={"category": category, "priority": "" if priority == "any" else priority},
                values={
                    "response_hours": float(level["response_hours"]),
                    "resolution_hours": float(level["resolution_hours"]),
                    "clock": clock,
                    "calendar": calendars.get(level.get("calendar", ""))
                    if clock == Clock.BUSINESS
                    else None,
                },
                log=log,
                label="service levels",
            )
    if levels_ := pack.table(SERVICE_LEVELS):
        # One source of truth: say which categories' published hours (categories.toml) give way.
        log.say(
            f"Service levels: {len(levels_)} categories take their due dates from "
            f"{SERVICE_LEVELS} ({', '.join(sorted(levels_))}); their hours in {CATEGORIES} "
            "count only for a priority without a level of its own, as every other category's do."
        )


def register() -> None:
    citypack_section_register(
        "routing",
        files=SCHEMAS,
        validate=calendars_validate,
        load=calendars_load,
    )


__all__ = ["register"]
