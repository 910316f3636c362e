"""The demo city's routing set-up: crews with strategies and zones, rules, escalation policies,
scoring weights, assets and sensitive places, loaded idempotently."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from requests_app.models import Asset, Category, Department, Team
from routing.models import (
    CrewZone,
    EscalationPolicy,
    EscalationStep,
    RoutingRule,
    ScoreKeyword,
    SensitivePlace,
)

pytestmark = pytest.mark.django_db


def load() -> str:
    out = StringIO()
    call_command("seed_routing_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo_city():
    call_command("seed_demo", requests=0, stdout=StringIO())


def counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (
            Team,
            CrewZone,
            RoutingRule,
            EscalationPolicy,
            EscalationStep,
            ScoreKeyword,
            SensitivePlace,
            Asset,
        )
    )


def test_without_the_demo_city_it_does_nothing():
    assert "run seed_demo first" in load()
    assert RoutingRule.objects.count() == 0


def test_it_loads_crews_rules_escalations_scoring_and_assets_once(demo_city):
    output = load()
    assert "Routing demo:" in output
    first = counts()
    load()
    assert counts() == first

    potholes = Team.objects.get(name="Pothole crew")
    assert potholes.assignment_strategy == Team.Strategy.BY_ZONE
    assert potholes.crew_zones.count() == 11
    assert {u.username for u in potholes.members.all()} == {"crew", "rosa", "tomas"}
    assert Team.objects.get(name="Lighting crew").assignment_strategy == "round_robin"
    assert Department.objects.get(slug="public-works-streets").head.username == "supervisor"

    rule = RoutingRule.objects.get(name="Potholes go to the pothole crew")
    assert list(rule.categories.values_list("code", flat=True)) == ["pothole"]
    assert rule.team == potholes
    downtown = RoutingRule.objects.get(name__startswith="Downtown sidewalks")
    assert downtown.areas.count() == 2 and downtown.tag == "downtown-sidewalks"

    breach = EscalationStep.objects.get(policy__name="Streets", name__startswith="Breach")
    assert breach.raise_priority and breach.reassign_team.name == "Supervisors"

    streetlight = Category.objects.get(code="streetlight-out")
    assert streetlight.asset_type == "streetlight" and streetlight.base_severity == 15
    lights = Asset.objects.filter(asset_type="streetlight")
    assert lights.count() > 1000
    assert lights.first().department.slug == "street-lighting"
    assert Asset.objects.filter(asset_type="sign").exists()
    assert SensitivePlace.objects.filter(kind="school").count() >= 5


def test_the_seeded_backlog_gets_its_escalations_scheduled_and_overdue_ones_escalate(
    django_capture_on_commit_callbacks,
):
    from django.utils import timezone

    from requests_app.models import OPEN_STATUSES, RequestEvent, ServiceRequest
    from routing.escalations import escalations_sweep

    call_command("seed_demo", requests=150, seed=3, stdout=StringIO())
    with django_capture_on_commit_callbacks(execute=True):
        output = load()
    assert "working through the open requests" in output
    open_requests = ServiceRequest.objects.filter(status__in=OPEN_STATUSES)
    assert open_requests.filter(next_escalation_at__isnull=False).exists()
    # Every open request now has a priority score with its parts explained.
    assert not open_requests.filter(score__isnull=True).exists()
    assert open_requests.exclude(score_parts=[]).exists()
    # Run the sweep as the worker's schedule would: overdue work escalates by itself.
    fired = escalations_sweep(now=timezone.now())
    assert fired > 0
    assert RequestEvent.objects.filter(type=RequestEvent.Type.ESCALATED).exists()
    # A second start does not schedule again.
    assert "working through" not in load()
