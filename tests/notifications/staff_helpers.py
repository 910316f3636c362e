"""Helpers for the staff alert, digest and survey tests."""

from __future__ import annotations

from notifications.models import OutboxMessage, StaffPreference
from requests_app.models import RequestEvent
from requests_app.services import request_route
from tests.requests_app.helpers import submit


def give_emails(staff) -> None:
    """The conftest staff have no email addresses; alerts need them."""
    for user in (
        staff.agent,
        staff.crew,
        staff.supervisor,
        staff.parks_agent,
        staff.operator,
        staff.city_admin,
    ):
        user.email = f"{user.username}@city.example"
        user.save(update_fields=["email"])


def prefer(user, **fields) -> StaffPreference:
    preference, _created = StaffPreference.objects.get_or_create(user=user)
    for name, value in fields.items():
        setattr(preference, name, value)
    preference.save()
    return preference


def routed_request(city, department=None, **kwargs):
    """A request filed and routed (as the worker would), and its ROUTED event."""
    sr = submit(city, **kwargs)
    request_route(request=sr, department=department or city.streets)
    sr.refresh_from_db()
    return sr, sr.events.filter(type=RequestEvent.Type.ROUTED).latest("id")


def alerts(template: str | None = None):
    rows = OutboxMessage.objects.filter(user__isnull=False).exclude(template="staff_digest")
    if template:
        rows = rows.filter(template=template)
    return rows.order_by("pk")


def alerted_usernames(template: str | None = None) -> list[str]:
    return sorted(alerts(template).values_list("user__username", flat=True))
