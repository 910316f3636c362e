"""A run of escalation steps written as one statement (routing.escalations_writes) leaves the
same row, the same claims and the same events, handed to the dispatch the same way, as the run
step by step through the workflow services; fires each step once with two sweeps at once; and
falls back to the step-by-step run when a claim is taken."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from requests_app.configcache import config_snapshot
from requests_app.dispatch import event_copy
from requests_app.models import Priority, RequestEvent, ServiceRequest
from requests_app.services import request_assign, request_comment
from routing import escalations, escalations_writes
from routing.escalations import request_escalations_run
from routing.models import Clock, EscalationFired, SlaTarget
from tests.routing.test_escalations import T0, H, filed, sweeps_side_by_side

pytestmark = pytest.mark.django_db

# The policy is Streets' (tests/routing/conftest.py): remind after a day idle, supervisors at
# 75 %, at the breach raise the priority, move the request to the Supervisors team, tell the head.

# Fields of the request that differ between two requests filed alike (ids, numbers, tokens) are
# left out by comparing only those equal before the run.
EVENT_FIELDS = tuple(
    f.attname for f in RequestEvent._meta.concrete_fields if f.attname not in ("id", "request_id")
)


def _row(sr: ServiceRequest) -> dict:
    sr = ServiceRequest.objects.get(pk=sr.pk)
    return {f.attname: getattr(sr, f.attname) for f in ServiceRequest._meta.concrete_fields}


def _events(sr: ServiceRequest) -> list[tuple]:
    rows = RequestEvent.objects.filter(request_id=sr.pk).order_by("id")
    return [tuple(getattr(e, name) for name in EVENT_FIELDS) for e in rows]


def _claims(sr: ServiceRequest) -> list[tuple]:
    rows = EscalationFired.objects.filter(request_id=sr.pk).order_by("id")
    return list(rows.values_list("step_id", "occurrence", "fired_at"))


def _run(sr: ServiceRequest, at: datetime, *, deferred: bool) -> tuple[int, list[RequestEvent]]:
    """One run at ``at`` one way or the other; returns how many fired and the events handed to
    the dispatch (as it keeps them)."""
    handed: list[RequestEvent] = []

    def hand(event_id, *, event=None):
        assert event is not None and event.id == event_id
        handed.append(event_copy(event))

    with (
        mock.patch.object(escalations, "_deferrable", side_effect=lambda p: deferred),
        mock.patch.object(escalations_writes, "event_dispatch_enqueue", side_effect=hand),
        mock.patch("requests_app.services.events.event_dispatch_enqueue", side_effect=hand),
        time_machine.travel(at, tick=False),
    ):
        fired = request_escalations_run(request_id=sr.pk, now=at)
    return fired, handed


def _both_ways(city, at: datetime, prepare=None) -> tuple[ServiceRequest, ServiceRequest]:
    """Two requests filed alike, each prepared alike, then run at ``at``: step by step, and as
    one statement. Asserts the runs left the same behind."""
    old, new = filed(city), filed(city)
    for sr in (old, new):
        if prepare:
            prepare(sr)
        ServiceRequest.objects.filter(pk=sr.pk).update(next_escalation_at=T0)
    before_old, before_new = _row(old), _row(new)
    alike = [name for name in before_old if before_old[name] == before_new[name]]
    assert {"priority", "version", "expected_at", "next_escalation_at"} <= set(alike)

    fired_old, handed_old = _run(old, at, deferred=False)
    fired_new, handed_new = _run(new, at, deferred=True)

    assert fired_new == fired_old > 0
    after_old, after_new = _row(old), _row(new)
    assert {n: after_new[n] for n in alike} == {n: after_old[n] for n in alike}
    assert _events(new) == _events(old)
    assert _claims(new) == _claims(old)
    # Handed to the dispatch in the order written, each as a read of its row gives it.
    written = list(RequestEvent.objects.filter(request_id=new.pk).order_by("id"))
    assert [e.id for e in handed_new] == [e.id for e in written][-len(handed_new) :]
    for copy, row in zip(handed_new, written[-len(handed_new) :], strict=True):
        for f in RequestEvent._meta.concrete_fields:
            assert getattr(copy, f.attname) == getattr(row, f.attname), f.attname
    assert len(handed_new) == len(handed_old)
    return old, new


def _targets_by_priority(city) -> None:
    # A high-priority pothole is due sooner: a raise moves the due dates (one more event).
    SlaTarget.objects.create(
        category=city.pothole,
        priority=Priority.HIGH,
        response_hours=2,
        resolution_hours=24,
        clock=Clock.AROUND_THE_CLOCK,
    )


def test_a_breach_as_one_statement_writes_what_the_workflow_services_write(city, staff, policy):
    _targets_by_priority(city)
    policy.steps.filter(name="Breach").update(reassign_team=None)

    def warned(sr):
        with time_machine.travel(T0 + 60 * H, tick=False):
            EscalationFired.objects.create(request=sr, step=policy.steps.get(name="Warn"))
            request_assign(request=sr, actor=staff.supervisor, assignee=staff.agent)

    _old, new = _both_ways(city, T0 + 72 * H, warned)
    new.refresh_from_db()
    assert new.priority == Priority.HIGH
    types = [e[0] for e in _events(new)][-3:]
    assert types == ["escalated", "due_changed", "priority_changed"]


def test_a_breach_that_moves_the_request_to_a_team_writes_what_the_workflow_services_write(
    city, staff, policy, supervisors_team
):
    _targets_by_priority(city)

    def assigned(sr):
        with time_machine.travel(T0 + 60 * H, tick=False):
            EscalationFired.objects.create(request=sr, step=policy.steps.get(name="Warn"))
            request_assign(
                request=sr, actor=staff.supervisor, assignee=staff.agent, team=staff.potholes_team
            )

    _old, new = _both_ways(city, T0 + 72 * H, assigned)
    new.refresh_from_db()
    assert new.team == supervisors_team and new.assignee is None and new.priority == Priority.HIGH
    types = [e[0] for e in _events(new)][-4:]
    assert types == ["escalated", "due_changed", "priority_changed", "assigned"]


def test_a_warning_as_one_statement_writes_what_the_step_by_step_run_writes(city, staff, policy):
    def talked(sr):
        with time_machine.travel(T0 + 40 * H, tick=False):
            request_comment(request=sr, actor=staff.agent, message="On it", public=False)

    _both_ways(city, T0 + 54 * H, talked)


def test_an_idle_reminder_as_one_statement_writes_what_the_step_by_step_run_writes(
    city, staff, policy
):
    _both_ways(city, T0 + 24 * H)


def test_catching_up_as_one_statement_writes_what_the_step_by_step_run_writes(city, staff, policy):
    _targets_by_priority(city)
    # Long after: the reminder, the warning claimed without acting, the breach.
    _old, new = _both_ways(city, T0 + 100 * H)
    assert len(_claims(new)) == 3


def test_an_urgent_request_as_one_statement_writes_what_the_step_by_step_run_writes(
    city, staff, policy
):
    def urgent(sr):
        ServiceRequest.objects.filter(pk=sr.pk).update(priority=Priority.URGENT)

    _both_ways(city, T0 + 100 * H, urgent)


def _second_run_queries(first, second, *, at: datetime) -> list[str]:
    """The queries of ``second``'s run at ``at``, after ``first``'s run read what every request
    of a sweep shares (policies, targets, the department, the supervisors)."""
    lookups = escalations.Lookups()
    with time_machine.travel(at, tick=False), config_snapshot():
        assert request_escalations_run(request_id=first.pk, now=at, lookups=lookups) == 1
        with CaptureQueriesContext(connection) as queries:
            assert request_escalations_run(request_id=second.pk, now=at, lookups=lookups) == 1
    return [q["sql"] for q in queries.captured_queries]


def test_a_breach_step_is_the_lock_and_one_statement(city, staff, policy):
    _targets_by_priority(city)
    policy.steps.filter(name="Nudge").delete()
    policy.steps.filter(name="Breach").update(reassign_team=None)
    first, second = filed(city), filed(city)
    for sr in (first, second):
        EscalationFired.objects.create(request=sr, step=policy.steps.get(name="Warn"))
    ServiceRequest.objects.filter(pk__in=[first.pk, second.pk]).update(next_escalation_at=T0)
    # As in a sweep: the first request reads what every request shares, the second is the step.
    sql = _second_run_queries(first, second, at=T0 + 73 * H)
    # The savepoint (a worker's BEGIN), the lock, the statement, the release (COMMIT).
    assert len(sql) == 4, sql
    assert "FOR UPDATE" in sql[1] and sql[2].startswith("WITH claimed AS")
    types = list(second.events.order_by("id").values_list("type", flat=True))[-3:]
    assert types == ["escalated", "due_changed", "priority_changed"]


def test_a_claim_someone_else_made_undoes_the_statement_and_runs_step_by_step(city, staff, policy):
    sr = filed(city)
    warn = policy.steps.get(name="Warn")
    # Another worker claimed the warning after this one read the steps fired.
    EscalationFired.objects.create(request=sr, step=warn)
    with (
        # A new set each time: a run adds to the one it is given.
        mock.patch.object(escalations, "_fired_keys", side_effect=lambda **kw: set()),
        time_machine.travel(T0 + 73 * H, tick=False),
    ):
        fired = request_escalations_run(request_id=sr.pk, now=T0 + 73 * H)
    # The step-by-step run skips the warning it could not claim and fires the rest, once.
    assert fired == 2
    names = sorted(EscalationFired.objects.filter(request=sr).values_list("step__name", flat=True))
    assert names == ["Breach", "Nudge", "Warn"]
    escalated = sr.events.filter(type=RequestEvent.Type.ESCALATED)
    assert sorted(escalated.values_list("to_value", flat=True)) == ["Breach", "Nudge"]
    assert sr.events.filter(type=RequestEvent.Type.PRIORITY_CHANGED).count() == 1


def test_a_failure_before_the_statement_leaves_nothing_behind(city, staff, policy):
    sr = filed(city)
    with (
        mock.patch.object(escalations, "_step_plan", side_effect=RuntimeError("worker died")),
        pytest.raises(RuntimeError),
        time_machine.travel(T0 + 24 * H, tick=False),
    ):
        request_escalations_run(request_id=sr.pk, now=T0 + 24 * H)
    assert EscalationFired.objects.filter(request=sr).count() == 0
    assert not sr.events.filter(type=RequestEvent.Type.ESCALATED).exists()


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_writing_one_statement_each_fire_each_step_exactly_once(city, staff, policy):
    requests = [filed(city) for _ in range(6)]
    ServiceRequest.objects.filter(pk__in=[sr.pk for sr in requests]).update(next_escalation_at=T0)
    write = escalations_writes.StepWrites.write

    def slow_write(self):
        # Hold the row lock a moment so the two sweeps really overlap.
        time.sleep(0.05)
        return write(self)

    with mock.patch.object(escalations_writes.StepWrites, "write", slow_write):
        results = sweeps_side_by_side(now=T0 + 100 * H)
    # The idle reminder and the breach fire once each across both sweeps; the warning,
    # overtaken by the breach, is claimed without acting.
    assert sum(results) == 2 * len(requests)
    assert all(n > 0 for n in results)
    for sr in requests:
        fired = EscalationFired.objects.filter(request=sr)
        assert sorted(fired.values_list("step__name", flat=True)) == ["Breach", "Nudge", "Warn"]
        assert sr.events.filter(type=RequestEvent.Type.ESCALATED).count() == 2
        assert sr.events.filter(type=RequestEvent.Type.PRIORITY_CHANGED).count() == 1
        sr.refresh_from_db()
        assert sr.priority == Priority.HIGH and sr.next_escalation_at is None


def test_a_step_not_due_yet_is_stored_as_the_next_time_to_look(city, staff, policy):
    sr = filed(city)
    ServiceRequest.objects.filter(pk=sr.pk).update(next_escalation_at=T0)
    with time_machine.travel(T0 + 24 * H, tick=False):
        assert request_escalations_run(request_id=sr.pk, now=T0 + 24 * H) == 1
    sr.refresh_from_db()
    assert sr.next_escalation_at == T0 + (sr.expected_at - T0) * 0.75
    assert sr.next_escalation_at > T0 + 24 * H - timedelta(seconds=1)


def test_names_with_quotes_backslashes_and_accents_are_written_as_they_are(city, staff, policy):
    # The statement sends the events as arrays: each text and JSON value quoted inside them.
    name = 'Recordatorio "urgente" \\ {a,b} — ñ'
    policy.steps.filter(name="Nudge").update(name=name)
    _old, new = _both_ways(city, T0 + 24 * H)
    event = new.events.get(type=RequestEvent.Type.ESCALATED)
    assert event.to_value == name and event.data["step_name"] == name


def test_an_idle_reminder_reads_the_idle_stretch_with_its_lock(city, staff, policy):
    first, second = filed(city), filed(city)
    for sr in (first, second):
        with time_machine.travel(T0 + 2 * H, tick=False):
            request_comment(request=sr, actor=staff.agent, message="Looking", public=False)
    sql = _second_run_queries(first, second, at=T0 + 26 * H)
    assert len(sql) == 4, sql
    # The stretch began with the comment, not the receipt: that reminder's occurrence.
    (claim,) = EscalationFired.objects.filter(request=second)
    assert claim.occurrence == (T0 + 2 * H).isoformat()
