"""`manage.py seed_routing_demo`: the demo city's routing set-up from demo.routing_data (crews
with their strategies and zones, rules, escalation policies, scoring weights, sensitive places
and a synthetic asset layer). Every part is an update-or-create: running it again changes
nothing, so `make run` runs it on every start."""

from __future__ import annotations

from typing import TextIO

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.gis.geos import Point
from django.db import transaction

from demo import routing_data as data
from demo.accounts import DEMO_PASSWORD, demo_user_ensure
from requests_app.models import (
    AddressPoint,
    Area,
    AreaSet,
    Asset,
    Category,
    Department,
    Role,
    ServiceRequest,
    StaffProfile,
    Team,
)
from routing.models import (
    CrewZone,
    EscalationPolicy,
    EscalationStep,
    RoutingRule,
    ScoreKeyword,
    ScoringSettings,
    SensitivePlace,
)

SOURCE = "civic311 demo (synthetic ids at the demo city's intersections)"
PLACES_SOURCE = "civic311 demo (real places, approximate coordinates)"
NOT_LOADED = "The demo city is not loaded (run seed_demo first); nothing to do."

Teams = dict[tuple[str, str], Team]  # by (department slug, team name)


def routing_seed(*, stdout: TextIO) -> None:
    if not Department.objects.filter(slug="public-works-streets").exists():
        stdout.write(NOT_LOADED)
        return
    with transaction.atomic():
        users = _users_ensure()
        teams = _teams_sync(users)
        _rules_sync(teams)
        _policies_sync(teams)
        _scoring_sync()
        _escalations_schedule(stdout=stdout)
    assets = _assets_sync()
    stdout.write(
        f"Routing demo: {len(teams)} teams, {len(data.RULES)} rules, "
        f"{len(data.POLICIES)} escalation policies, {assets} assets, "
        f"{len(data.SENSITIVE_PLACES)} sensitive places."
    )
    crews = ", ".join(username for username, *_rest in data.CREW_USERS)
    stdout.write(f"Crew logins (password {DEMO_PASSWORD}): {crews}")


def _department(slug: str) -> Department | None:
    """The department with this slug; none for "" (city-wide)."""
    return Department.objects.get(slug=slug) if slug else None


def _users_ensure() -> dict[str, AbstractBaseUser]:
    """The crew logins, in their departments as agents, and the departments' heads."""
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["crew", "supervisor"])
    }
    for username, first, last, department in data.CREW_USERS:
        user = demo_user_ensure(username=username, first_name=first, last_name=last)
        profile, _ = StaffProfile.objects.get_or_create(user=user, defaults={"role": Role.AGENT})
        profile.departments.add(_department(department))
        users[username] = user
    for slug, username in data.DEPARTMENT_HEADS.items():
        if username in users:
            Department.objects.filter(slug=slug).update(head=users[username])
    return users


def _teams_sync(users: dict[str, AbstractBaseUser]) -> Teams:
    wards = {
        a.name: a
        for a in Area.objects.filter(kind=AreaSet.Kind.WARD, area_set__active=True).only(
            "id", "name"
        )
    }
    teams = {}
    for spec in data.TEAMS:
        team, _ = Team.objects.update_or_create(
            department=_department(spec.department),
            name=spec.name,
            defaults={"assignment_strategy": spec.strategy},
        )
        team.members.add(*(users[m] for m in spec.members if m in users))
        for ward, member in spec.zones:
            if ward in wards and member in users:
                CrewZone.objects.update_or_create(
                    team=team, area=wards[ward], defaults={"member": users[member]}
                )
        teams[(spec.department, spec.name)] = team
    return teams


def _rules_sync(teams: Teams) -> None:
    for spec in data.RULES:
        rule, _ = RoutingRule.objects.update_or_create(
            name=spec.name,
            defaults={
                "order": spec.order,
                "active": True,
                "keywords": spec.keywords,
                "department": _department(spec.department),
                "team": teams.get(spec.team) if spec.team else None,
                "priority": spec.priority,
                "tag": spec.tag,
            },
        )
        rule.categories.set(Category.objects.filter(code__in=spec.categories))
        rule.areas.set(
            Area.objects.filter(kind=AreaSet.Kind.WARD, area_set__active=True, name__in=spec.areas)
        )


def _policies_sync(teams: Teams) -> None:
    for spec in data.POLICIES:
        policy, _ = EscalationPolicy.objects.update_or_create(
            name=spec.name, defaults={"department": _department(spec.department), "active": True}
        )
        for step in spec.steps:
            EscalationStep.objects.update_or_create(
                policy=policy,
                name=step.name,
                defaults={
                    "trigger": step.trigger,
                    "target": step.target,
                    "value": step.value,
                    "notify": step.notify,
                    "raise_priority": step.raise_priority,
                    "reassign_team": teams.get(step.reassign_team) if step.reassign_team else None,
                },
            )


def _escalations_schedule(*, stdout: TextIO) -> None:
    """The seeded backlog was written by COPY, outside the services, so nothing has scored it or
    scheduled its escalations: the first time, ask a worker to (overdue requests then escalate
    within a minute of `make run` starting)."""
    if ServiceRequest.objects.filter(next_escalation_at__isnull=False).exists():
        return

    def enqueue() -> None:
        from django_q.tasks import async_task

        async_task("routing.tasks.scores_backfill")
        async_task("routing.tasks.escalations_reschedule", None)

    transaction.on_commit(enqueue)
    stdout.write("Scores and escalations: working through the open requests in the background.")


def _scoring_sync() -> None:
    # The demo has weights for every category, so low-severity reports may be Low.
    ScoringSettings.objects.update_or_create(pk=1, defaults={"normal_at": 10})
    for code, points in data.BASE_SEVERITY.items():
        Category.objects.filter(code=code).update(base_severity=points)
    for word, points in data.KEYWORDS:
        ScoreKeyword.objects.update_or_create(word=word, defaults={"points": points})
    for kind, name, lat, lng, radius, points in data.SENSITIVE_PLACES:
        SensitivePlace.objects.update_or_create(
            name=name,
            defaults={
                "kind": kind,
                "location": Point(lng, lat, srid=4326),
                "radius_m": radius,
                "points": points,
                "source": PLACES_SOURCE,
            },
        )


def _assets_sync() -> int:
    corners = list(
        AddressPoint.objects.filter(kind=AddressPoint.Kind.INTERSECTION)
        .order_by("id")
        .only("label", "location")
    )
    total = 0
    for asset_type, prefix, every, owner, categories in data.ASSET_LAYERS:
        Category.objects.filter(code__in=categories).update(asset_type=asset_type)
        department = Department.objects.filter(slug=owner).first()
        rows = [
            Asset(
                asset_type=asset_type,
                asset_id=f"{prefix}-{n:05d}",
                name=corner.label,
                location=corner.location,
                department=department,
                source=SOURCE,
            )
            for n, corner in enumerate(corners[::every], start=1)
        ]
        # Ids are stable (the n-th intersection), so a re-run finds them and adds nothing.
        Asset.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        total += Asset.objects.filter(asset_type=asset_type).count()
    return total
