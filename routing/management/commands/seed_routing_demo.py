"""Load the demo city's routing set-up (see routing/demo.py). Idempotent: run on every start."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.core.management.base import BaseCommand
from django.db import transaction

from requests_app.management.commands.seed_demo import DEMO_PASSWORD
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
from routing import demo
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


class Command(BaseCommand):
    help = "Load the demo routing set-up: crews, rules, escalations, scoring, assets (idempotent)."

    def handle(self, *args, **options) -> None:
        if not Department.objects.filter(slug="public-works-streets").exists():
            self.stdout.write("The demo city is not loaded (run seed_demo first); nothing to do.")
            return
        with transaction.atomic():
            users = self._users_ensure()
            teams = self._teams_sync(users)
            self._rules_sync(teams)
            self._policies_sync(teams)
            self._scoring_sync()
            self._escalations_schedule()
        assets = self._assets_sync()
        self.stdout.write(
            f"Routing demo: {len(teams)} teams, {len(demo.RULES)} rules, "
            f"{len(demo.POLICIES)} escalation policies, {assets} assets, "
            f"{len(demo.SENSITIVE_PLACES)} sensitive places."
        )
        crews = ", ".join(username for username, *_rest in demo.CREW_USERS)
        self.stdout.write(f"Crew logins (password {DEMO_PASSWORD}): {crews}")

    def _users_ensure(self) -> dict[str, object]:
        User = get_user_model()
        users = {u.username: u for u in User.objects.filter(username__in=["crew", "supervisor"])}
        for username, first, last, department in demo.CREW_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(
                    username=username,
                    email=f"{username}@example.com",
                    password=DEMO_PASSWORD,
                    first_name=first,
                    last_name=last,
                )
            profile, _ = StaffProfile.objects.get_or_create(
                user=user, defaults={"role": Role.AGENT}
            )
            profile.departments.add(Department.objects.get(slug=department))
            users[username] = user
        for slug, username in demo.DEPARTMENT_HEADS.items():
            if username in users:
                Department.objects.filter(slug=slug).update(head=users[username])
        return users

    def _teams_sync(self, users: dict[str, object]) -> dict[tuple[str, str], Team]:
        wards = {
            a.name: a
            for a in Area.objects.filter(kind=AreaSet.Kind.WARD, area_set__active=True).only(
                "id", "name"
            )
        }
        teams = {}
        for spec in demo.TEAMS:
            department = Department.objects.get(slug=spec.department)
            team, _ = Team.objects.update_or_create(
                department=department,
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

    def _rules_sync(self, teams: dict[tuple[str, str], Team]) -> None:
        for spec in demo.RULES:
            rule, _ = RoutingRule.objects.update_or_create(
                name=spec.name,
                defaults={
                    "order": spec.order,
                    "active": True,
                    "keywords": spec.keywords,
                    "department": (
                        Department.objects.get(slug=spec.department) if spec.department else None
                    ),
                    "team": teams.get(spec.team) if spec.team else None,
                    "priority": spec.priority,
                    "tag": spec.tag,
                },
            )
            rule.categories.set(Category.objects.filter(code__in=spec.categories))
            rule.areas.set(
                Area.objects.filter(
                    kind=AreaSet.Kind.WARD, area_set__active=True, name__in=spec.areas
                )
            )

    def _policies_sync(self, teams: dict[tuple[str, str], Team]) -> None:
        for spec in demo.POLICIES:
            department = Department.objects.get(slug=spec.department) if spec.department else None
            policy, _ = EscalationPolicy.objects.update_or_create(
                name=spec.name, defaults={"department": department, "active": True}
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
                        "reassign_team": teams.get(step.reassign_team)
                        if step.reassign_team
                        else None,
                    },
                )

    def _escalations_schedule(self) -> None:
        """The seeded backlog was written by COPY, outside the services, so nothing has scored
        it or scheduled its escalations: the first time, ask a worker to (overdue requests then
        escalate within a minute of `make run` starting)."""
        if ServiceRequest.objects.filter(next_escalation_at__isnull=False).exists():
            return

        def enqueue() -> None:
            from django_q.tasks import async_task

            async_task("routing.tasks.scores_backfill")
            async_task("routing.tasks.escalations_reschedule", None)

        transaction.on_commit(enqueue)
        self.stdout.write(
            "Scores and escalations: working through the open requests in the background."
        )

    def _scoring_sync(self) -> None:
        # The demo has weights for every category, so low-severity reports may be Low.
        ScoringSettings.objects.update_or_create(pk=1, defaults={"normal_at": 10})
        for code, points in demo.BASE_SEVERITY.items():
            Category.objects.filter(code=code).update(base_severity=points)
        for word, points in demo.KEYWORDS:
            ScoreKeyword.objects.update_or_create(word=word, defaults={"points": points})
        for kind, name, lat, lng, radius, points in demo.SENSITIVE_PLACES:
            SensitivePlace.objects.update_or_create(
                name=name,
                defaults={
                    "kind": kind,
                    "location": Point(lng, lat, srid=4326),
                    "radius_m": radius,
                    "points": points,
                    "source": "civic311 demo (real places, approximate coordinates)",
                },
            )

    def _assets_sync(self) -> int:
        corners = list(
            AddressPoint.objects.filter(kind=AddressPoint.Kind.INTERSECTION)
            .order_by("id")
            .only("label", "location")
        )
        total = 0
        for asset_type, prefix, every, owner, categories in demo.ASSET_LAYERS:
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
