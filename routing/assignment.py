"""Auto-assignment: when a request is given to a team (by a routing rule or by staff choosing only
a team), the team's strategy picks an on-duty member.

Strategies (``Team.Strategy``): round-robin, least open work, by zone (the crew whose
``CrewZone`` contains the request's point, else least open work). Manual teams are left alone.
Each pick is a normal ``request_assign`` (with no actor, so it is not the first response) plus an
internal note that says how the person was chosen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q

from requests_app.models import OPEN_STATUSES, RequestEvent, ServiceRequest, Team
from requests_app.services import request_assign
from routing.models import CrewZone
from routing.services import routing_note

Strategy = Team.Strategy


@dataclass(frozen=True)
class Pick:
    """Who a strategy chose and why, in words for the timeline."""

    user: object
    how: str  # "round-robin", "least open work", "zone"
    detail: str = ""  # e.g. "3 open", "owns Mission"
    note: str = ""  # a fallback's reason, appended after a semicolon

    def message(self, team: Team) -> str:
        text = f"Assigned to {user_name(self.user)} by {self.how} in team {team.name}"
        if self.detail:
            text += f" ({self.detail})"
        return f"{text}; {self.note}" if self.note else text


def on_event(event: RequestEvent) -> None:
    """A request given to a team without a person gets one picked (idempotent).

    Only ASSIGNED events naming a team and no assignee qualify: when a person picked the assignee
    (or a strategy already did), the event carries ``assignee_id`` and nothing happens."""
    if event.type != RequestEvent.Type.ASSIGNED:
        return
    data = event.data or {}
    team_id = data.get("team_id")
    if not team_id or data.get("assignee_id"):
        return
    request_auto_assign(request_id=event.request_id, team_id=team_id, event_id=event.pk)


def request_auto_assign(*, request_id: int, team_id: int, event_id: int | None = None):
    """Pick and assign a member of the team by its strategy. Returns the user picked, or None.

    1. Lock the request and do nothing unless it is still open, still with this team and still
       unassigned (a re-delivered event, a later manual assignment or a closed request all end
       here).
    2. Lock the team row: concurrent picks for one team queue up behind it, so round-robin never
       hands out the same turn twice and least-open work counts what the previous pick assigned.
    3. Candidates are active members with an on-duty staff profile in the team's department.
    4. Nobody on duty: leave it with the team and write an internal note (once per event).
    5. Otherwise assign through ``request_assign`` and explain the pick in an internal note."""
    with transaction.atomic():
        sr = (
            ServiceRequest.objects.select_for_update(of=("self",))
            .filter(pk=request_id, team_id=team_id, assignee__isnull=True)
            .first()
        )
        if sr is None or not sr.is_open:
            return None
        team = Team.objects.select_for_update().filter(pk=team_id).first()
        if team is None or team.assignment_strategy == Strategy.MANUAL:
            return None
        candidates = team_candidates(team=team)
        if not candidates:
            _note_nobody_on_duty(request=sr, team=team, event_id=event_id)
            return None
        pick = _pick(team=team, request=sr, candidates=candidates)
        team.last_assigned = pick.user
        team.save(update_fields=["last_assigned"])
        request_assign(request=sr, actor=None, assignee=pick.user, team=team)
        routing_note(
            request=sr,
            message=pick.message(team),
            data={
                "team_id": team.pk,
                "picked_id": pick.user.pk,
                "assignment": team.assignment_strategy,
                "event_id": event_id,
            },
        )
        return pick.user


def team_candidates(*, team: Team) -> list:
    """Members who can be picked, ordered by id: active, on duty, and working for the team's
    department (a member moved to another department keeps no claim on its work)."""
    return list(
        get_user_model()
        .objects.filter(
            teams=team,
            is_active=True,
            staff_profile__on_duty=True,
            staff_profile__departments=team.department_id,
        )
        .order_by("id")
    )


def user_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _pick(*, team: Team, request: ServiceRequest, candidates: Sequence) -> Pick:
    if team.assignment_strategy == Strategy.ROUND_ROBIN:
        return Pick(_next_after(candidates, team.last_assigned_id), "round-robin")
    if team.assignment_strategy == Strategy.BY_ZONE:
        return _by_zone(team=team, request=request, candidates=candidates)
    return _least_open(team=team, candidates=candidates)


def _next_after(candidates: Sequence, last_id: int | None):
    """The first candidate after ``last_id`` by id, wrapping around. ``last_id`` need not be a
    candidate (they may have gone off duty since)."""
    if last_id is not None:
        for user in candidates:
            if user.pk > last_id:
                return user
    return candidates[0]


def _least_open(*, team: Team, candidates: Sequence, note: str = "") -> Pick:
    """The candidate with the fewest open requests assigned (any department: it is their whole
    load). Ties go round-robin from the last person picked, so equal loads still take turns."""
    counts = dict(
        get_user_model()
        .objects.filter(pk__in=[u.pk for u in candidates])
        .annotate(
            open_count=Count(
                "assigned_requests",
                filter=Q(assigned_requests__status__in=sorted(s.value for s in OPEN_STATUSES)),
            )
        )
        .values_list("pk", "open_count")
    )
    fewest = min(counts.values())
    tied = [u for u in candidates if counts[u.pk] == fewest]
    user = _next_after(tied, team.last_assigned_id)
    return Pick(user, "least open work", f"{fewest} open", note)


def _by_zone(*, team: Team, request: ServiceRequest, candidates: Sequence) -> Pick:
    """The crew whose zone contains the request's point; else least open work, saying why."""
    zones = []
    if request.location is not None:
        zones = list(
            CrewZone.objects.filter(team=team, area__geom__intersects=request.location)
            .select_related("member", "area")
            .order_by("area__name", "id")
        )
    by_id = {u.pk: u for u in candidates}
    for zone in zones:
        if zone.member_id in by_id:
            return Pick(by_id[zone.member_id], "zone", f"owns {zone.area.name}")
    if zones:
        zone = zones[0]
        why = f"{zone.area.name} belongs to {user_name(zone.member)}, who is off duty"
    else:
        why = "no crew owns this location"
    return _least_open(team=team, candidates=candidates, note=why)


def _note_nobody_on_duty(*, request: ServiceRequest, team: Team, event_id: int | None) -> None:
    # One note per triggering event: a re-delivered event finds it and writes nothing more.
    if (
        event_id is not None
        and request.events.filter(
            type=RequestEvent.Type.NOTE, data__assignment="nobody_on_duty", data__event_id=event_id
        ).exists()
    ):
        return
    routing_note(
        request=request,
        message=f"Nobody in team {team.name} is on duty: left with the team, unassigned",
        data={"team_id": team.pk, "assignment": "nobody_on_duty", "event_id": event_id},
    )
