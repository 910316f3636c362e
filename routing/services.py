"""Routing: who gets a request. Admin-managed rules decide (``routing.rules``); the category's
default department is the fallback."""

from __future__ import annotations

from django.db import transaction

from requests_app.models import Asset, RequestEvent, ServiceRequest, Status
from requests_app.services import (
    event_record,
    request_assign,
    request_priority_change,
    request_route,
)
from routing.rules import RequestLike, RoutingDecision, rules_evaluate


def request_like_from(request: ServiceRequest) -> RequestLike:
    # The asset with its owner in one query, only for requests filed against one.
    asset = (
        Asset.objects.select_related("department").filter(pk=request.asset_id).first()
        if request.asset_id
        else None
    )
    return RequestLike(
        category=request.category,
        point=request.location,
        description=request.description,
        answers=request.answers or {},
        channel=request.channel,
        at=request.created_at,
        asset=asset,
    )


def request_route_by_rules(*, request_id: int) -> bool:
    """Route a newly received request by the routing rules.

    1. Claim the request by its status under a row lock, so a re-delivered task or a second
       worker does nothing (returns False).
    2. Evaluate the rules on what the resident filed (time windows use the filing time).
    3. Apply the decision through the workflow services, each writing its own event whose text
       says which rule fired and why: route, then team, then priority, then tag.
    Returns True when this call routed it."""
    with transaction.atomic():
        request = (
            ServiceRequest.objects.select_for_update(of=("self",))
            .select_related("category__default_department")
            .filter(pk=request_id, status=Status.RECEIVED)
            .first()
        )
        if request is None:
            return False
        decision = rules_evaluate(request_like=request_like_from(request))
        decision_apply(request=request, decision=decision)
        return True


# Existing callers (the event handler, older tests) keep working.
request_route_default = request_route_by_rules


def on_event(event: RequestEvent) -> None:
    """New requests are routed by the rules."""
    if event.type == RequestEvent.Type.CREATED:
        request_route_by_rules(request_id=event.request_id)


def decision_apply(*, request: ServiceRequest, decision: RoutingDecision) -> None:
    """Write a decision to a locked request (inside the caller's transaction)."""
    request_route(
        request=request, department=decision.department, reason=decision.department_explanation
    )
    if decision.team is not None and decision.team_by and decision.team_by.rule:
        request_assign(request=request, actor=None, team=decision.team)
        # request_assign takes no reason, so the rule's explanation gets an internal note.
        _routing_note(
            request=request,
            message=decision.team_explanation,
            data={"team_id": decision.team.pk, "rule_id": decision.team_by.rule.pk},
        )
    if decision.priority and decision.priority_by and decision.priority_by.rule:
        request_priority_change(
            request=request,
            actor=None,
            priority=decision.priority,
            reason=decision.priority_explanation,
        )
    if decision.tag and decision.tag_by and decision.tag_by.rule:
        # Tags live in event data until requests get a field of their own.
        _routing_note(
            request=request,
            message=decision.tag_explanation,
            data={"tag": decision.tag, "rule_id": decision.tag_by.rule.pk},
        )


def _routing_note(*, request: ServiceRequest, message: str, data: dict) -> None:
    event_record(
        request=request,
        type=RequestEvent.Type.NOTE,
        actor=None,
        actor_label="Routing",
        public=False,
        message=message,
        data={"routing": True, **data},
    )
