"""Fixtures of the escalation tests (test_escalations, test_escalations_writes)."""

from __future__ import annotations

import pytest

from requests_app.models import Team
from routing.models import EscalationPolicy, EscalationStep

Trigger, Target, Notify = EscalationStep.Trigger, EscalationStep.Target, EscalationStep.Notify


@pytest.fixture
def supervisors_team(city, staff) -> Team:
    team = Team.objects.create(department=city.streets, name="Supervisors")
    team.members.set([staff.supervisor])
    return team


@pytest.fixture
def head(city, django_user_model):
    user = django_user_model.objects.create_user(
        "hana", email="hana@example.org", first_name="Hana", password="x"
    )
    city.streets.head = user
    city.streets.save(update_fields=["head"])
    return user


@pytest.fixture
def policy(city, staff, supervisors_team, head) -> EscalationPolicy:
    """Streets' policy: remind after a day idle, supervisors at 75 %, escalate at breach."""
    policy = EscalationPolicy.objects.create(name="Streets", department=city.streets)
    EscalationStep.objects.create(
        policy=policy, name="Nudge", trigger=Trigger.IDLE, value=24, notify=Notify.ASSIGNEE
    )
    of_resolution = {"trigger": Trigger.TARGET_PERCENT, "target": Target.RESOLUTION}
    EscalationStep.objects.create(
        policy=policy, name="Warn", value=75, notify=Notify.SUPERVISORS, **of_resolution
    )
    EscalationStep.objects.create(
        policy=policy,
        name="Breach",
        value=100,
        notify=Notify.DEPARTMENT_HEAD,
        raise_priority=True,
        reassign_team=supervisors_team,
        **of_resolution,
    )
    return policy
