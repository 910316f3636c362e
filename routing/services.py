"""Routing: who gets a request. Until rule-based routing lands, every request goes to its
category's default department."""

from __future__ import annotations

from django.db import transaction

from requests_app.models import ServiceRequest, Status
from requests_app.services import request_route


def request_route_default(*, request_id: int) -> bool:
    """Route a newly received request to its category's default department.

    Idempotent: claims the request by its status under a row lock, so a re-delivered task or a
    second worker does nothing. Returns True when this call routed it."""
    with transaction.atomic():
        request = (
            ServiceRequest.objects.select_for_update()
            .select_related("category__default_department")
            .filter(pk=request_id, status=Status.RECEIVED)
            .first()
        )
        if request is None:
            return False
        department = request.category.default_department
        request_route(
            request=request,
            department=department,
            reason=f"Routed to {department.name} (default for {request.category.name})",
        )
        return True
