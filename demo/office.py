"""How the demo city's offices work: a business calendar, a few service-level targets and some
canned responses for staff."""

from __future__ import annotations

from datetime import time as hhmm

from django.conf import settings

from requests_app.models import Category, ClosureReason, ResponseTemplate
from routing.models import BusinessCalendar, Clock, SlaTarget, WorkingHours

# category code, priority ("" = any), response hours, resolution hours, clock
DEMO_SLA_TARGETS = (
    ("streetlight-out", "", 8, 40, "business"),
    ("graffiti", "", 16, 80, "business"),
    ("pothole", "", 8, 72, "business"),
    ("pothole", "urgent", 2, 24, "24x7"),
)
RESPONSE_TEMPLATES = (
    # name, closure reason code or None, English, Spanish
    (
        "Crew scheduled",
        None,
        "Thanks for your report. A crew is scheduled to look at this within the next few days.",
        "Gracias por su reporte. Un equipo revisará esto en los próximos días.",
    ),
    (
        "Need a photo",
        None,
        "We couldn't find the problem at this location. Could you add a photo or more details "
        "using the link in your confirmation email?",
        "No encontramos el problema en este lugar. ¿Puede agregar una foto o más detalles con "
        "el enlace de su correo de confirmación?",
    ),
    (
        "Repaired — thanks",
        "repaired",
        "Our crew repaired this today. Thank you for helping keep the city in good shape.",
        "Nuestro equipo lo reparó hoy. Gracias por ayudar a mantener la ciudad en buen estado.",
    ),
)


def office_seed() -> None:
    """The calendar, targets and templates; after the city (they refer to its categories and
    closure reasons). Idempotent."""
    service_levels_seed()
    for name, reason_code, body, body_es in RESPONSE_TEMPLATES:
        ResponseTemplate.objects.update_or_create(
            name=name,
            defaults={
                "closure_reason": ClosureReason.objects.filter(code=reason_code).first(),
                "body": body,
                "body_es": body_es,
                "active": True,
            },
        )


def service_levels_seed() -> None:
    """A business calendar (city offices, federal and California holidays) and a few
    service-level targets, so new demo requests show business-hours dates."""
    calendar, _ = BusinessCalendar.objects.update_or_create(
        name="City offices",
        defaults={
            "time_zone": settings.CITY_TIME_ZONE,
            "holiday_country": "US",
            "holiday_subdivision": "CA",
        },
    )
    if not calendar.working_hours.exists():
        WorkingHours.objects.bulk_create(
            WorkingHours(calendar=calendar, weekday=d, start=hhmm(8), end=hhmm(17))
            for d in range(5)
        )
    for code, priority, response, resolution, clock in DEMO_SLA_TARGETS:
        category = Category.objects.filter(code=code).first()
        if category is None:
            continue
        SlaTarget.objects.update_or_create(
            category=category,
            priority=priority,
            defaults={
                "response_hours": response,
                "resolution_hours": resolution,
                "clock": clock,
                "calendar": calendar if clock == Clock.BUSINESS else None,
            },
        )
