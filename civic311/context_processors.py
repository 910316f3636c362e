from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def city(request: HttpRequest) -> dict:
    """City-wide facts every page shows (name, phone numbers)."""
    return {
        "CITY_NAME": settings.CITY_NAME,
        "CITY_PHONE": settings.CITY_PHONE,
        "CITY_EMERGENCY_PHONE": settings.CITY_EMERGENCY_PHONE,
        "DEV_MAILBOX": settings.DEV_MAILBOX,
    }
