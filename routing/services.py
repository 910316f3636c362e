"""Routing: who gets a request. Admin-managed rules decide (``routing.rules``); the category's
default department is the fallback."""

from __future__ import annotations

from collections.abc import Collection

from django.db import connection, transaction
from django.db.models import QuerySet

from requests_app.dispatch import event_dispatch_enqueue, request_share
from requests_app.models import Asset, Category, Department, RequestEvent, ServiceRequest, Status
from requests_app.prepared import prepared
from requests_app.rows import model_columns, row_convert
from requests_app.services import (
    event_record,
    events_batched,
    request_assign,
    request_is_held,
    request_mark_held,
    request_priority_change,
    request_reroute_apply,
    request_route,
)
from routing.escalations import fired_steps_annotation
from routing.rules import RequestLike, RoutingDecision, rules_evaluate
from routing.scoring import (
    priority_floor_annotate,
    score_prepare,
    score_record,
    scoring_context_load,
    sensitive_place_annotate,
)


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


def request_route_by_rules(*, request_id: int, score: bool = False) -> bool:
    """Route a newly received request by the routing rules (and, with ``score``, score it in
    the same transaction).

    1. Claim the request by its status under a row lock, so a re-delivered task or a second
       worker does nothing (returns False).
    2. Evaluate the rules on what the resident filed (time windows use the filing time).
    3. With ``score`` (the "created" event's handler), compute the priority score on the locked
       row: it reads what the resident filed, which routing does not change.
    4. Apply the decision through the workflow services, each writing its own event whose text
       says which rule fired and why: route, then team, then priority, then tag. The department,
       the status moves and the score are saved in one UPDATE.
    5. Record the score (its event, then its band as the priority, never below a priority a
       rule has just set: that is the floor now).
    Every event goes in one INSERT at the end, in the order recorded; one lock, one UPDATE, one
    INSERT where routing and scoring each had theirs. All or nothing: a failure rolls back the
    routing with the score, and the re-delivered task does both again. Returns True when this
    call routed it."""
    context = scoring_context_load() if score else None
    scoring = context is not None and context.settings.enabled
    with transaction.atomic(), events_batched():
        request = _received_lock(request_id=request_id, scoring=scoring)
        if request is None:
            return False
        # Held: routing, team and priority write to this object rather than re-reading the row.
        request_mark_held(request=request)
        decision = rules_evaluate(request_like=request_like_from(request))
        update = score_prepare(sr=request, context=context) if scoring else None
        priority = request.priority
        decision_apply(
            request=request,
            decision=decision,
            fields=("score", "score_parts") if update is not None and update.changed else (),
        )
        if update is not None:
            # A rule's priority written just now is the newest floor (not in the table yet).
            floor = request.priority if request.priority != priority else request.floor
            score_record(sr=request, update=update, reason=RequestEvent.Type.CREATED, floor=floor)
    # Committed (or released): the row as written is the table's, with its category loaded, for
    # the messages of the same task (requests_app.dispatch.request_shared): one read fewer.
    request_share(request)
    return True


def _received_lock_rows(*, scoring: bool) -> QuerySet:
    """Routing's locking read as the ORM builds it (``_received_lock`` writes it out)."""
    rows = ServiceRequest.objects.select_for_update(of=("self",)).select_related(
        "category__default_department"
    )
    if scoring:
        # The floor and the sensitive place come with the lock (one query where three were).
        rows = sensitive_place_annotate(priority_floor_annotate(rows))
    # With its fired steps, the row as written serves the escalation schedule computed after
    # the task's events (request_share below): no read of its own.
    return rows.annotate(fired_steps=fired_steps_annotation())


_LOCKS: dict[bool, tuple] = {}


def _received_lock(*, request_id: int, scoring: bool) -> ServiceRequest | None:
    """``_received_lock_rows(scoring=...).filter(pk=request_id, status=RECEIVED).first()``: the
    request locked with its category and the category's default department, and the
    annotations (the floor, the sensitive place, the fired steps) as attributes, from a
    statement written once per process: building the ORM's cost about as much CPU as the rest
    of routing. The same columns, joins and subqueries (the annotations' own SQL); tested
    against the ORM's read."""
    if scoring not in _LOCKS:
        _LOCKS[scoring] = _received_lock_statement(scoring=scoring)
    sql, params, parts, annotations = _LOCKS[scoring]
    with connection.cursor() as cursor:
        prepared(cursor, [(sql, None, [*params, request_id, Status.RECEIVED])])
        row = cursor.fetchone()
    if row is None:
        return None
    objects, start = [], 0
    for model, columns, _select, converters in parts:
        values = row_convert(row[start : start + len(columns)], converters)
        start += len(columns)
        objects.append(model.from_db(connection.alias, [f.attname for f in columns], values))
    request, category, department = objects
    Category.default_department.field.set_cached_value(category, department)
    ServiceRequest.category.field.set_cached_value(request, category)
    for (name, expression), value in zip(annotations, row[start:], strict=True):
        found = connection.ops.get_db_converters(expression)
        for convert in found + expression.get_db_converters(connection):
            value = convert(value, expression, connection)
        setattr(request, name, value)
    return request


def _received_lock_statement(*, scoring: bool) -> tuple:
    rows = _received_lock_rows(scoring=scoring)
    annotations = list(rows.query.annotations.items())
    requests, categories = ServiceRequest._meta, Category._meta
    departments = Department._meta
    parts = [
        (model, *model_columns(model, [f.attname for f in model._meta.concrete_fields], alias=a))
        for model, a in (
            (ServiceRequest, requests.db_table),
            (Category, "c"),
            (Department, "d"),
        )
    ]
    select = ", ".join([*(p[2] for p in parts), *(f"({e.sql})" for _, e in annotations)])
    sql = (
        f"SELECT {select} FROM {requests.db_table} "  # noqa: S608 (names from the models)
        f'INNER JOIN {categories.db_table} c ON ("{requests.db_table}"."category_id" = c.id) '
        f"INNER JOIN {departments.db_table} d ON (c.default_department_id = d.id) "
        f'WHERE "{requests.db_table}"."id" = %s AND "{requests.db_table}"."status" = %s '
        f'FOR UPDATE OF "{requests.db_table}"'
    )
    params = [p for _, e in annotations for p in e.params]
    return sql, params, parts, annotations


# Existing callers (the event handler, older tests) keep working.
request_route_default = request_route_by_rules


def request_reroute(*, request_id: int, event_id: int | None = None) -> bool:
    """Run the rules again on a routed request whose category changed or that was reopened.

    1. Lock the request; do nothing unless it is open and already routed (a request still
       "received" is routed by its CREATED event).
    2. Evaluate the rules on the request as it is now (its current category; time windows still
       use the filing time).
    3. Move it only when a rule routes it to another department: with no matching rule the
       category's default department applies, and ``request_recategorise`` has already moved it
       there (a transfer by a person is not undone by a reopening).
    4. Apply the team, priority and tag actions that change something.
    Compares the decision with the request as it is, so the common case (no rule matches) and a
    re-delivered event write nothing. Returns True when something changed."""
    with transaction.atomic():
        request = (
            ServiceRequest.objects.select_for_update(of=("self",))
            .select_related("category__default_department")
            .filter(pk=request_id)
            .exclude(status=Status.RECEIVED)
            .first()
        )
        if request is None or not request.is_open:
            return False
        decision = rules_evaluate(request_like=request_like_from(request))
        changed = False
        if decision.department_by.rule is not None:
            moved = request_reroute_apply(
                request=request,
                department=decision.department,
                reason=decision.department_explanation,
            )
            changed = moved is not None
        extra = {"reroute_of": event_id} if event_id else {}
        return decision_actions_apply(request=request, decision=decision, extra=extra) or changed


def on_event(event: RequestEvent) -> bool:
    """New requests are routed by the rules (and scored with them); a change of category or a
    reopening runs them again. Returns True when the event's scoring is done too (a new request
    routed and scored here: routing.scoring's handler has nothing left to do for it)."""
    if event.type == RequestEvent.Type.CREATED:
        if request_route_by_rules(request_id=event.request_id, score=True):
            return True
        # Not received any more: routed already, by this very event's first delivery if that
        # worker died after routing committed and before it handled what routing wrote.
        automatic_events_redispatch(created=event)
        return False
    if event.type == RequestEvent.Type.CATEGORY_CHANGED or (
        event.type == RequestEvent.Type.STATUS_CHANGED and event.to_value == Status.REOPENED
    ):
        request_reroute(request_id=event.request_id, event_id=event.pk)
    return False


def automatic_events_redispatch(*, created: RequestEvent) -> int:
    """Hand the request's automatic events written after its "created" event (routing's, the
    score's, an escalation's: no person's) to the running dispatch again; returns how many.

    A re-delivered "created" event finds its request routed: the worker that first handled it
    may have died after routing committed and before it handled the events routing wrote (the
    department's new-request alerts above all). Every handler is idempotent (dedupe keys,
    recomputed schedules and scores), so handling them again queues only what is missing. Costs
    one query, and only when a "created" event finds its request routed already."""
    ids = list(
        RequestEvent.objects.filter(
            request_id=created.request_id, pk__gt=created.pk, actor__isnull=True
        )
        .exclude(type=RequestEvent.Type.CREATED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in ids:
        event_dispatch_enqueue(pk)
    return len(ids)


def decision_apply(
    *, request: ServiceRequest, decision: RoutingDecision, fields: Collection[str] = ()
) -> None:
    """Write a decision to a locked request (inside the caller's transaction); ``fields`` the
    caller changed on the held row are saved in routing's UPDATE."""
    request_route(
        request=request,
        department=decision.department,
        reason=decision.department_explanation,
        fields=fields,
    )
    decision_actions_apply(request=request, decision=decision)


def decision_actions_apply(
    *, request: ServiceRequest, decision: RoutingDecision, extra: dict | None = None
) -> bool:
    """Apply a decision's team, priority and tag actions that change something, each with an
    event that says which rule fired. Inside the caller's transaction, on a locked request.
    Returns True when anything was written."""
    extra = extra or {}
    if not request_is_held(request):
        # The services above re-read the row under the lock; compare with what is stored now.
        request.refresh_from_db(fields=["department", "team", "priority", "priority_overridden"])
    changed = False
    team = decision.team
    if (
        team is not None
        and decision.team_by
        and decision.team_by.rule
        and team.department_id == request.department_id
        and team.pk != request.team_id
    ):
        request_assign(request=request, actor=None, team=team)
        # request_assign takes no reason, so the rule's explanation gets an internal note.
        routing_note(
            request=request,
            message=decision.team_explanation,
            data={"team_id": team.pk, "rule_id": decision.team_by.rule.pk, **extra},
        )
        changed = True
    if (
        decision.priority
        and decision.priority_by
        and decision.priority_by.rule
        and decision.priority != request.priority
        # A person chose the priority: rules run again do not overrule them.
        and not request.priority_overridden
    ):
        request_priority_change(
            request=request,
            actor=None,
            priority=decision.priority,
            reason=decision.priority_explanation,
        )
        changed = True
    if (
        decision.tag
        and decision.tag_by
        and decision.tag_by.rule
        and not request.events.filter(
            type=RequestEvent.Type.NOTE, data__routing=True, data__tag=decision.tag
        ).exists()
    ):
        # Tags live in event data until requests get a field of their own.
        routing_note(
            request=request,
            message=decision.tag_explanation,
            data={"tag": decision.tag, "rule_id": decision.tag_by.rule.pk, **extra},
        )
        changed = True
    return changed


def routing_note(*, request: ServiceRequest, message: str, data: dict) -> None:
    """An internal note signed "Routing" explaining what routing decided and why."""
    event_record(
        request=request,
        type=RequestEvent.Type.NOTE,
        actor=None,
        actor_label="Routing",
        public=False,
        message=message,
        data={"routing": True, **data},
    )
