"""Drill (d): digests and escalations across the daylight-saving changes of
America/Los_Angeles neither skip nor fire twice, swept every 5 minutes (the digest schedule)
through each transition night.

2026-03-08: 02:00 PST jumps to 03:00 PDT (02:30 does not exist).
2026-11-01: 02:00 PDT falls back to 01:00 PST (01:30 happens twice)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifications.models import OutboxMessage, StaffPreference
from notifications.staff_alerts import staff_alert, staff_digests_send
from routing.escalations import escalations_sweep, request_escalation_schedule
from routing.models import EscalationFired
from routing.services import request_route_by_rules
from tests.notifications.staff_helpers import give_emails, prefer, routed_request
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
STEP = timedelta(minutes=5)
SPRING = datetime(2026, 3, 8, tzinfo=LA)
FALL = datetime(2026, 11, 1, tzinfo=LA)


def _utc_steps(start: datetime, end: datetime):
    at = start.astimezone(UTC)
    while at <= end.astimezone(UTC):
        yield at
        at += STEP


# --- Digests -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("night", "expected"),
    [
        # 02:30 does not exist: it is sent at 03:30 PDT (10:30 UTC), once.
        (SPRING, {"01:30": 1, "02:30": 1, "08:00": 1}),
        # 01:30 happens twice: sent at the first one, not again at the second.
        (FALL, {"01:30": 1, "02:30": 1, "08:00": 1}),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_each_digest_time_fires_once_through_the_transition_night(city, staff, night, expected):
    give_emails(staff)
    prefer(
        staff.agent,
        new_in_department=StaffPreference.Mode.DIGEST,
        digest_times="01:30,02:30,08:00",
    )
    start = night - timedelta(hours=1)  # 23:00 the evening before
    for n, at in enumerate(_utc_steps(start, night + timedelta(hours=10))):
        with time_machine.travel(at, tick=False):
            if n % 6 == 0:  # a new request waits every half hour
                sr, routed = routed_request(city)
                staff_alert(user=staff.agent, kind="new_request", event=routed, request=sr)
            staff_digests_send(now=at)
    digests = OutboxMessage.objects.filter(template="staff_digest", user=staff.agent)
    # The dedupe key names the slot: x:digest:<user>:<local date>T<HH:MM>:email:<recipient>.
    slots = Counter(
        key.split("T", 1)[1][:5] for key in digests.values_list("dedupe_key", flat=True)
    )
    assert dict(slots) == expected
    # And nothing that waited was left behind for the next day.
    waited = OutboxMessage.objects.filter(user=staff.agent, digest=True)
    assert not waited.filter(status=OutboxMessage.Status.QUEUED, created_at__lte=night).exists()


# --- Escalations -------------------------------------------------------------------------------


@pytest.mark.parametrize("night", [SPRING, FALL], ids=["spring-forward", "fall-back"])
def test_escalation_steps_fire_once_and_on_time_through_the_transition(city, staff, night):
    from tests.routing.test_escalations import EscalationPolicy, EscalationStep, Notify, Trigger

    policy = EscalationPolicy.objects.create(name="City")
    of_resolution = {"trigger": Trigger.TARGET_PERCENT, "target": EscalationStep.Target.RESOLUTION}
    for name, percent in (("Half", 50), ("Warn", 75), ("Breach", 100)):
        EscalationStep.objects.create(
            policy=policy, name=name, value=percent, notify=Notify.SUPERVISORS, **of_resolution
        )
    EscalationStep.objects.create(
        policy=policy, name="Nudge", trigger=Trigger.IDLE, value=24, notify=Notify.ASSIGNEE
    )
    # Requests filed every 40 minutes over the three days before, so that steps fall due all
    # through the transition night.
    requests = []
    filed_from = night - timedelta(days=3)
    for n in range(108):
        with time_machine.travel(filed_from + n * timedelta(minutes=40), tick=False):
            sr = submit(city)
            request_route_by_rules(request_id=sr.pk)
            request_escalation_schedule(request_id=sr.pk)
            requests.append(sr.pk)

    window_start, window_end = night - timedelta(hours=1), night + timedelta(hours=6)
    with time_machine.travel(window_start, tick=False):
        escalations_sweep(now=window_start.astimezone(UTC))  # catch up to the window
    late, fired_in_window = [], 0
    from requests_app.models import ServiceRequest

    for at in _utc_steps(window_start + STEP, window_end):
        due_before = dict(
            ServiceRequest.objects.filter(pk__in=requests, next_escalation_at__lte=at)
            .exclude(next_escalation_at__isnull=True)
            .values_list("pk", "next_escalation_at")
        )
        with time_machine.travel(at, tick=False):
            fired = escalations_sweep(now=at)
        fired_in_window += fired
        late += [pk for pk, due in due_before.items() if at - due > STEP]
    assert fired_in_window > 20  # the night really had work in it
    assert late == []  # every step fired at the first sweep after it fell due: none skipped
    counts = Counter(EscalationFired.objects.values_list("request_id", "step_id", "occurrence"))
    assert max(counts.values()) == 1  # and none fired twice
