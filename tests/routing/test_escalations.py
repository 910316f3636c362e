"""Escalation policies: the right policy applies, each step fires at its threshold and exactly once
(also with two sweeps at once and after a crash), and what a step does shows up for staff."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_q.models import Schedule

from requests_app.configcache import config_snapshot
from requests_app.models import Priority, RequestEvent, ServiceRequest, Status, Team
from requests_app.prepared import prepared_text
from requests_app.services import (
    request_acknowledge,
    request_assign,
    request_comment,
    request_hold,
    request_resolve,
)
from routing import escalations
from routing.escalations import (
    escalations_reschedule,
    escalations_sweep,
    policy_for_request,
    request_escalation_schedule,
    request_escalations_run,
)
from routing.models import EscalationFired, EscalationPolicy, EscalationStep
from routing.services import request_route_by_rules
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db

# Pothole targets (factory defaults, no SLA target row): first action 24 h, resolution 72 h.
T0 = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
H = timedelta(hours=1)
Trigger, Target, Notify = EscalationStep.Trigger, EscalationStep.Target, EscalationStep.Notify


def filed(city, at: datetime = T0) -> ServiceRequest:
    """A pothole filed and routed to Streets at ``at``."""
    with time_machine.travel(at, tick=False):
        sr = submit(city)
        request_route_by_rules(request_id=sr.pk)
    sr.refresh_from_db()
    return sr


def schedule(sr: ServiceRequest) -> datetime | None:
    request_escalation_schedule(request_id=sr.pk)
    sr.refresh_from_db()
    return sr.next_escalation_at


def sweep(at: datetime) -> int:
    with time_machine.travel(at, tick=False):
        return escalations_sweep()


def escalated(sr: ServiceRequest) -> list[RequestEvent]:
    return list(sr.events.filter(type=RequestEvent.Type.ESCALATED).order_by("created_at", "id"))


def city_wide_policy(**step) -> EscalationPolicy:
    """A city-wide escalation policy with this one step."""
    policy = EscalationPolicy.objects.create(name="City")
    EscalationStep.objects.create(policy=policy, **step)
    return policy


# --- Which policy ------------------------------------------------------------------------------


def policy_for_a_streets_pothole(city):
    return policy_for_request(category_id=city.pothole.pk, department_id=city.streets.pk)


def test_the_category_policy_wins_over_the_department_and_city_wide_ones(city):
    EscalationPolicy.objects.create(name="City")
    EscalationPolicy.objects.create(name="Streets", department=city.streets)
    potholes = EscalationPolicy.objects.create(name="Potholes")
    potholes.categories.set([city.pothole])
    assert policy_for_a_streets_pothole(city) == potholes


def test_the_department_policy_wins_over_the_city_wide_one(city):
    EscalationPolicy.objects.create(name="City")
    streets = EscalationPolicy.objects.create(name="Streets", department=city.streets)
    EscalationPolicy.objects.create(name="Parks", department=city.parks)
    graffiti = EscalationPolicy.objects.create(name="Graffiti")
    graffiti.categories.set([city.graffiti])
    assert policy_for_a_streets_pothole(city) == streets


def test_the_city_wide_policy_applies_when_nothing_more_specific_does(city):
    city_wide = EscalationPolicy.objects.create(name="City")
    EscalationPolicy.objects.create(name="Parks", department=city.parks)
    assert policy_for_a_streets_pothole(city) == city_wide


def test_an_inactive_policy_does_not_apply(city):
    EscalationPolicy.objects.create(name="Streets", department=city.streets, active=False)
    assert policy_for_a_streets_pothole(city) is None


def test_a_request_without_a_policy_is_never_swept(city):
    sr = filed(city)
    assert schedule(sr) is None


# --- Thresholds --------------------------------------------------------------------------------


def test_the_schedule_is_the_earliest_step_not_fired_yet(city, policy):
    sr = filed(city)
    assert schedule(sr) == T0 + 24 * H  # the idle reminder comes first


def test_the_idle_reminder_fires_at_its_threshold_and_not_before(city, staff, policy):
    sr = filed(city)
    with time_machine.travel(T0 + H, tick=False):
        request_assign(request=sr, actor=staff.supervisor, assignee=staff.agent)
    # A person's action starts the idle stretch again: a day from then.
    assert schedule(sr) == T0 + 25 * H

    assert sweep(T0 + 25 * H - timedelta(seconds=1)) == 0
    assert escalated(sr) == []
    assert sweep(T0 + 25 * H) == 1

    (event,) = escalated(sr)
    assert event.message == "Reminder: no action for 24 h — assignee told"
    assert event.actor is None and event.actor_label == "Escalation" and not event.public
    assert event.data["recipients"] == [{"user_id": staff.agent.pk}]


def test_sweeping_again_fires_nothing_twice(city, staff, policy):
    sr = filed(city)
    request_escalation_schedule(request_id=sr.pk)
    assert sweep(T0 + 24 * H) == 1
    assert sweep(T0 + 24 * H) == 0
    assert sweep(T0 + 30 * H) == 0
    assert len(escalated(sr)) == 1
    assert EscalationFired.objects.filter(request=sr).count() == 1


def test_the_idle_reminder_fires_again_after_a_new_idle_stretch(city, staff, policy):
    sr = filed(city)
    request_escalation_schedule(request_id=sr.pk)
    assert sweep(T0 + 24 * H) == 1
    with time_machine.travel(T0 + 30 * H, tick=False):
        request_comment(request=sr, actor=staff.agent, message="Crew booked", public=False)
    request_escalation_schedule(request_id=sr.pk)
    assert sweep(T0 + 54 * H - timedelta(seconds=1)) == 0
    # 54 h is also the 75 % mark of the 72 h target: both fire.
    assert sweep(T0 + 54 * H) == 2
    nudges = [e for e in escalated(sr) if e.to_value == "Nudge"]
    assert len(nudges) == 2
    assert EscalationFired.objects.filter(request=sr, step__name="Nudge").count() == 2


def test_nobody_assigned_means_the_supervisors_hear_the_reminder(city, staff, policy):
    sr = filed(city)
    request_escalation_schedule(request_id=sr.pk)
    sweep(T0 + 24 * H)
    (event,) = escalated(sr)
    assert event.message == "Reminder: no action for 24 h — nobody assigned: supervisors told"
    assert event.data["recipients"] == [{"user_id": staff.supervisor.pk}]


def test_the_supervisors_hear_at_three_quarters_of_the_target(city, staff, policy):
    sr = filed(city)
    with time_machine.travel(T0 + 40 * H, tick=False):
        request_comment(request=sr, actor=staff.agent, message="On it", public=False)
    request_escalation_schedule(request_id=sr.pk)
    assert sweep(T0 + 54 * H - timedelta(seconds=1)) == 0
    assert sweep(T0 + 54 * H) == 1
    (event,) = escalated(sr)
    assert event.message == "75% of the time to resolve used — supervisors told"
    assert event.data["recipients"] == [{"user_id": staff.supervisor.pk}]


def test_a_breach_raises_priority_moves_to_supervisors_and_emails_the_head(
    city, staff, policy, supervisors_team, head, django_capture_on_commit_callbacks
):
    sr = filed(city)
    with time_machine.travel(T0 + 60 * H, tick=False):
        request_assign(request=sr, actor=staff.supervisor, assignee=staff.agent)
    # Warn (75 %) already went out.
    EscalationFired.objects.create(request=sr, step=policy.steps.get(name="Warn"))
    request_escalation_schedule(request_id=sr.pk)
    assert sr.priority == Priority.NORMAL

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep(T0 + 72 * H) == 1

    sr.refresh_from_db()
    assert sr.priority == Priority.HIGH
    assert sr.team == supervisors_team and sr.assignee is None
    # The system raised it: not a staff override that would stop scoring from changing it.
    assert sr.priority_overridden is False
    (event,) = escalated(sr)
    assert event.message == (
        "Target breached: priority raised to High, moved to team Supervisors, department head told"
    )
    change = sr.events.get(type=RequestEvent.Type.PRIORITY_CHANGED)
    assert change.actor is None and change.message == "Escalation: Breach"
    assert [m.to for m in mail.outbox] == [[head.email]]
    assert sr.tracking_number in mail.outbox[0].body


def test_escalations_show_on_the_staff_timeline(client, city, staff, policy):
    sr = filed(city)
    request_escalation_schedule(request_id=sr.pk)
    sweep(T0 + 24 * H)
    client.force_login(staff.agent)
    page = client.get(reverse("staff:detail", args=[sr.tracking_number]))
    assert "Reminder: no action for 24 h" in page.content.decode()


def test_response_steps_stop_once_the_request_is_acknowledged(city, staff):
    city_wide_policy(
        name="First action late",
        trigger=Trigger.TARGET_PERCENT,
        target=Target.RESPONSE,
        value=50,
        notify=Notify.SUPERVISORS,
    )
    sr = filed(city)
    assert schedule(sr) == T0 + 12 * H
    with time_machine.travel(T0 + 2 * H, tick=False):
        request_acknowledge(request=sr, actor=staff.agent)
    assert schedule(sr) is None
    assert sweep(T0 + 13 * H) == 0


def test_nothing_fires_while_waiting_on_the_resident(city, staff, policy):
    sr = filed(city)
    with time_machine.travel(T0 + H, tick=False):
        request_hold(request=sr, actor=staff.agent, message="Which side of the road?")
    assert schedule(sr) is None


def test_the_sweep_ignores_closed_requests(city, staff, policy):
    sr = filed(city)
    request_escalation_schedule(request_id=sr.pk)
    with time_machine.travel(T0 + H, tick=False):
        request_resolve(request=sr, actor=staff.agent, closure_reason=city.repaired)
    # Even a stale schedule left on a closed request is not picked up.
    ServiceRequest.objects.filter(pk=sr.pk).update(next_escalation_at=T0)
    assert sweep(T0 + 100 * H) == 0
    assert escalated(sr) == []
    assert schedule(sr) is None


def test_next_escalation_moves_on_after_each_step(city, staff, policy):
    sr = filed(city)
    request_escalation_schedule(request_id=sr.pk)
    sweep(T0 + 24 * H)
    sr.refresh_from_db()
    assert sr.next_escalation_at == T0 + 54 * H
    sweep(T0 + 54 * H)
    sr.refresh_from_db()
    assert sr.next_escalation_at == T0 + 72 * H
    sweep(T0 + 72 * H)
    sr.refresh_from_db()
    assert sr.next_escalation_at is None


def test_a_new_policy_reaches_requests_already_in_the_queue(city, staff):
    sr = filed(city)
    assert schedule(sr) is None
    policy = city_wide_policy(
        name="Nudge", trigger=Trigger.IDLE, value=8, notify=Notify.SUPERVISORS
    )
    assert escalations_reschedule(policy_id=policy.pk) == (1, None)
    sr.refresh_from_db()
    assert sr.next_escalation_at == T0 + 8 * H


def test_rescheduling_goes_in_batches_that_chain(city, staff):
    first, second, third = filed(city), filed(city), filed(city)
    policy = city_wide_policy(
        name="Nudge", trigger=Trigger.IDLE, value=8, notify=Notify.SUPERVISORS
    )
    assert escalations_reschedule(policy_id=policy.pk, batch=2) == (2, second.pk)
    assert escalations_reschedule(policy_id=policy.pk, after_id=second.pk, batch=2) == (1, None)
    # The task chains the batches by itself (tasks run inline in tests).
    ServiceRequest.objects.update(next_escalation_at=None)
    from routing.tasks import escalations_reschedule as task

    assert task(policy.pk, 0, 1) == 1  # one request, then the next task, and the next...
    assert set(ServiceRequest.objects.values_list("next_escalation_at", flat=True)) == {T0 + 8 * H}
    assert third.pk > second.pk > first.pk


def test_staff_actions_reschedule_through_the_event_handler(
    city, staff, policy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sr = filed(city)
    sr.refresh_from_db()
    assert sr.next_escalation_at == T0 + 24 * H
    with (
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(T0 + 5 * H, tick=False),
    ):
        request_comment(request=sr, actor=staff.agent, message="Seen", public=False)
    sr.refresh_from_db()
    assert sr.next_escalation_at == T0 + 29 * H


# --- Exactly once ------------------------------------------------------------------------------


def test_a_crash_between_claim_and_event_leaves_nothing_behind(city, staff, policy):
    sr = filed(city)
    request_escalation_schedule(request_id=sr.pk)
    with (
        mock.patch.object(escalations, "_step_outline", side_effect=RuntimeError("worker died")),
        pytest.raises(RuntimeError),
        time_machine.travel(T0 + 24 * H, tick=False),
    ):
        request_escalations_run(request_id=sr.pk, now=T0 + 24 * H)
    # The claim and the event share a transaction: neither is left, so the step is still owed.
    assert EscalationFired.objects.filter(request=sr).count() == 0
    assert escalated(sr) == []
    assert sweep(T0 + 24 * H) == 1
    assert len(escalated(sr)) == 1


def test_a_fired_step_stays_fired_after_a_restart(city, staff, policy):
    sr = filed(city)
    request_escalation_schedule(request_id=sr.pk)
    sweep(T0 + 24 * H)
    # A restarted worker with a stale schedule looks at the request again.
    ServiceRequest.objects.filter(pk=sr.pk).update(next_escalation_at=T0)
    assert sweep(T0 + 24 * H) == 0
    assert len(escalated(sr)) == 1


def test_a_step_someone_else_claimed_is_skipped(city, staff, policy):
    sr = filed(city)
    nudge = policy.steps.get(name="Nudge")
    occurrence = T0.isoformat()
    EscalationFired.objects.create(request=sr, step=nudge, occurrence=occurrence)
    # A worker that read the fired steps before the other one committed: the claim fails.
    with mock.patch.object(escalations, "_fired_keys", return_value=set()):
        fired = request_escalations_run(request_id=sr.pk, now=T0 + 24 * H)
    assert fired == 0
    assert escalated(sr) == []


def sweeps_side_by_side(*, now: datetime) -> list[int]:
    """Two sweeps started together in two threads (each with its own connection); how many
    steps each fired."""
    start = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            results.append(escalations_sweep(now=now))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_running_at_once_fire_each_step_exactly_once(city, staff, policy):
    requests = [filed(city) for _ in range(6)]
    for sr in requests:
        request_escalation_schedule(request_id=sr.pk)
    act = escalations._step_outline

    def slow_act(**kwargs):
        # Hold the row lock a moment so the two sweeps really overlap.
        time.sleep(0.05)
        return act(**kwargs)

    with mock.patch.object(escalations, "_step_outline", side_effect=slow_act):
        results = sweeps_side_by_side(now=T0 + 100 * H)
    # Catching up long after: the idle reminder and the breach fire, each exactly once across
    # both sweeps; the 75 % warning, overtaken by the breach, is claimed without acting.
    assert sum(results) == 2 * len(requests)
    assert all(n > 0 for n in results)  # both sweeps did part of the work, side by side
    for sr in requests:
        fired = EscalationFired.objects.filter(request=sr)
        assert sorted(fired.values_list("step__name", flat=True)) == ["Breach", "Nudge", "Warn"]
        assert len(escalated(sr)) == 2
        assert sr.events.filter(type=RequestEvent.Type.PRIORITY_CHANGED).count() == 1


# --- The sweep itself ----------------------------------------------------------------------------


def test_the_sweep_reads_the_partial_index(city, policy):
    sr = filed(city)
    request_escalation_schedule(request_id=sr.pk)
    with connection.cursor() as cursor:
        # A tiny table is cheapest to scan; forbid that to see whether the index can serve it.
        cursor.execute("SET LOCAL enable_seqscan = off")
        query = (
            ServiceRequest.objects.filter(
                status__in=escalations.OPEN_STATUS_VALUES, next_escalation_at__lte=T0
            )
            .order_by("next_escalation_at")
            .values_list("id", flat=True)[:500]
        )
        plan = query.explain()
    assert "request_open_escalation" in plan


def test_a_sweep_with_nothing_due_is_one_query(city, policy):
    sr = filed(city)
    request_escalation_schedule(request_id=sr.pk)
    with CaptureQueriesContext(connection) as queries:
        assert sweep(T0 + H) == 0
    assert len(queries) == 1


def test_setup_schedules_sweeps_every_minute_forever_and_is_idempotent(db):
    call_command("setup_schedules")
    Schedule.objects.filter(name="escalation-sweep").update(repeats=0)
    call_command("setup_schedules")
    sweep_schedule = Schedule.objects.get(name="escalation-sweep")
    assert sweep_schedule.func == "routing.tasks.escalations_sweep"
    assert sweep_schedule.schedule_type == Schedule.MINUTES and sweep_schedule.minutes == 1
    assert sweep_schedule.repeats == -1
    assert Schedule.objects.filter(name="escalation-sweep").count() == 1


def test_the_task_runs_the_sweep(city, staff, policy):
    from routing.tasks import escalations_sweep as task

    sr = filed(city)
    request_escalation_schedule(request_id=sr.pk)
    with time_machine.travel(T0 + 24 * H, tick=False):
        assert task() == 1
    assert sr.status != Status.CLOSED


# --- Admin -------------------------------------------------------------------------------------


def policy_form(department, **step) -> dict:
    data = {
        "name": "Streets escalation",
        "active": "on",
        "department": department.pk,
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        "steps-0-name": "Breach",
        "steps-0-trigger": "target_percent",
        "steps-0-target": "resolution",
        "steps-0-value": "100",
        "steps-0-notify": "department_head",
    }
    data.update({f"steps-0-{k}": v for k, v in step.items()})
    return data


def test_an_admin_builds_a_policy_with_its_steps(superuser_client, city, staff, supervisors_team):
    response = superuser_client.post(
        reverse("admin:routing_escalationpolicy_add"),
        policy_form(city.streets, raise_priority="on", reassign_team=supervisors_team.pk),
    )
    assert response.status_code == 302
    policy = EscalationPolicy.objects.get(name="Streets escalation")
    step = policy.steps.get()
    assert step.raise_priority and step.reassign_team == supervisors_team
    changelist = superuser_client.get(reverse("admin:routing_escalationpolicy_changelist"))
    assert "100% of resolution" in changelist.content.decode()


def test_the_admin_refuses_a_share_step_without_a_target(superuser_client, city):
    response = superuser_client.post(
        reverse("admin:routing_escalationpolicy_add"), policy_form(city.streets, target="")
    )
    assert response.status_code == 200
    assert "Say which target the percentage is of." in response.content.decode()
    assert not EscalationPolicy.objects.exists()


def test_the_admin_refuses_a_team_from_another_department(superuser_client, city, staff):
    parks_team = Team.objects.create(department=city.parks, name="Rangers")
    response = superuser_client.post(
        reverse("admin:routing_escalationpolicy_add"),
        policy_form(city.streets, reassign_team=parks_team.pk),
    )
    assert response.status_code == 200
    assert "The team must belong to the policy&#x27;s department." in response.content.decode()
    assert not EscalationPolicy.objects.exists()


def test_the_fired_log_is_read_only(superuser_client, city, staff, policy):
    sr = filed(city)
    request_escalation_schedule(request_id=sr.pk)
    sweep(T0 + 24 * H)
    fired = EscalationFired.objects.get()
    assert superuser_client.get(reverse("admin:routing_escalationfired_add")).status_code == 403
    page = superuser_client.get(reverse("admin:routing_escalationfired_changelist"))
    assert sr.tracking_number in page.content.decode()
    change = superuser_client.get(reverse("admin:routing_escalationfired_change", args=[fired.pk]))
    assert change.status_code == 200 and b'name="_save"' not in change.content


def test_a_sweep_stops_starting_requests_once_its_time_budget_is_spent(city, staff, policy):
    requests = [filed(city) for _ in range(3)]
    for sr in requests:
        request_escalation_schedule(request_id=sr.pk)
    # A spent budget still finishes one request (so every sweep makes progress), then stops.
    # (Catching up, each request fires its idle reminder and its breach.)
    assert escalations_sweep(now=T0 + 100 * H, budget_seconds=0) == 2
    assert EscalationFired.objects.values("request").distinct().count() == 1
    # The next sweep, without a budget, does the rest; nothing fires twice.
    assert escalations_sweep(now=T0 + 100 * H) == 4
    for sr in requests:
        assert len(escalated(sr)) == 2


def test_the_periodic_task_keeps_sweeping_while_steps_are_due(city, staff, policy, monkeypatch):
    from routing import tasks

    requests = [filed(city) for _ in range(3)]
    for sr in requests:
        request_escalation_schedule(request_id=sr.pk)
    # Each sweep may only start one request; the task queues the next sweep itself (inline
    # in tests), so every due step still fires, each once.
    monkeypatch.setattr(tasks, "SWEEP_BUDGET_SECONDS", 0)
    with time_machine.travel(T0 + 100 * H, tick=False):
        tasks.escalations_sweep()
    for sr in requests:
        assert len(escalated(sr)) == 2


def test_catching_up_fires_only_the_furthest_share_of_a_target(city, staff, policy):
    swept_on_time, caught_up = filed(city), filed(city)
    request_escalation_schedule(request_id=swept_on_time.pk)
    warn_at = T0 + (swept_on_time.expected_at - T0) * 0.75
    escalations_sweep(now=warn_at + timedelta(minutes=1))
    # The second request is only scheduled now (say, its policy was just created).
    request_escalation_schedule(request_id=caught_up.pk)
    escalations_sweep(now=swept_on_time.expected_at + timedelta(minutes=1))

    def steps(sr):
        return [e.data.get("step_name") for e in escalated(sr)]

    assert "Warn" in steps(swept_on_time) and "Breach" in steps(swept_on_time)
    assert "Breach" in steps(caught_up) and "Warn" not in steps(caught_up)
    # The overtaken warning is claimed, so it never fires afterwards either.
    assert EscalationFired.objects.filter(request=caught_up, step__name="Warn").exists()
    escalations_sweep(now=caught_up.expected_at + 10 * H)
    assert "Warn" not in steps(caught_up)


# --- The schedule without a lock when it can (round 3) ------------------------------------------


def _scheduled(sr: ServiceRequest) -> tuple[datetime | None, list[str]]:
    """The schedule stored, and its queries (the policies loaded already, as in a worker)."""
    with config_snapshot():
        policy_for_request(category_id=sr.category_id, department_id=sr.department_id)
        with CaptureQueriesContext(connection) as queries:
            at = request_escalation_schedule(request_id=sr.pk)
    return at, [q["sql"] for q in queries.captured_queries]


def test_a_schedule_already_right_is_one_read_without_a_lock_or_a_write(city, policy):
    sr = filed(city)
    assert schedule(sr) == T0 + 24 * H
    at, queries = _scheduled(sr)
    assert at == T0 + 24 * H
    # The row with its fired steps, and the idle stretch (the policy has an idle step).
    assert [q.split()[0] for q in queries] == ["SELECT", "SELECT"]
    assert not any("FOR UPDATE" in q for q in queries)


def test_a_schedule_that_moves_is_one_conditional_update_without_a_lock(city, policy):
    sr = filed(city)
    at, queries = _scheduled(sr)
    assert at == T0 + 24 * H
    assert [q.split()[0] for q in queries] == ["SELECT", "SELECT", "UPDATE"]
    assert not any("FOR UPDATE" in q for q in queries)
    sr.refresh_from_db()
    assert sr.next_escalation_at == T0 + 24 * H


def test_a_row_changed_between_the_read_and_the_write_is_scheduled_again_under_the_lock(
    city, staff, policy, monkeypatch
):
    sr = filed(city)
    compute = escalations._schedule_compute
    calls = []

    def meanwhile(*, request):
        # Someone else changes the request (its version moves) after the unlocked read.
        if not calls:
            with time_machine.travel(T0 + 2 * H, tick=False):
                request_comment(request=sr, actor=staff.agent, message="On it.", public=False)
        calls.append(request.version)
        return compute(request=request)

    monkeypatch.setattr(escalations, "_schedule_compute", meanwhile)
    with CaptureQueriesContext(connection) as queries:
        at = request_escalation_schedule(request_id=sr.pk)
    # Read, conditional UPDATE (no row: the version moved), then again under the lock: the
    # idle stretch now starts at the comment.
    assert len(calls) == 2 and calls[1] > calls[0]
    assert any("FOR UPDATE" in q["sql"] for q in queries)
    assert at == T0 + 26 * H
    sr.refresh_from_db()
    assert sr.next_escalation_at == T0 + 26 * H


def test_a_breach_step_reads_the_steps_fired_with_its_lock(city, staff, policy):
    sr = filed(city)
    EscalationFired.objects.create(request=sr, step=policy.steps.get(name="Nudge"), occurrence="x")
    request = ServiceRequest.objects.annotate(fired_steps=escalations.fired_steps_annotation()).get(
        pk=sr.pk
    )
    nudge = policy.steps.get(name="Nudge")
    assert request.fired_steps == [f"{nudge.pk}|x"]
    thresholds = escalations.request_thresholds(request=request, policy=policy)
    with CaptureQueriesContext(connection) as queries:
        assert escalations._fired_keys(request=request, thresholds=thresholds) == {(nudge.pk, "x")}
    assert len(queries) == 0


def test_a_new_requests_schedule_uses_the_row_routing_wrote_in_the_same_task(city, policy):
    """The schedule after a new request's events takes the row routing locked and wrote (with
    its fired steps) instead of reading it again, and stores what a fresh read computes."""
    from requests_app.tasks import event_dispatch

    sr = submit(city)
    created = sr.events.get()
    with CaptureQueriesContext(connection) as queries:
        event_dispatch(created.id)
    sql = [prepared_text(q["sql"]) for q in queries.captured_queries]
    fired_reads = [s for s in sql if "escalationfired" in s]
    assert len(fired_reads) == 1 and "FOR UPDATE" in fired_reads[0]  # routing's lock only
    sr.refresh_from_db()
    assert sr.department == city.streets and sr.next_escalation_at is not None
    stored = sr.next_escalation_at
    at, again = _scheduled(sr)
    assert at == stored and not any(q.startswith("UPDATE") for q in again)
