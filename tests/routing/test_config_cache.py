"""The per-process copies of admin-edited tables (requests_app.configcache): an admin's edit, made
by any process in any way, takes effect on the next request or task; a rolled-back edit leaves
no stale copy; and the copies spare the report POST, the worker's follow-up and a breach step
their queries (pinned here)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import MessageTemplate
from notifications.rendering import message_render
from requests_app.configcache import config_cached, config_snapshot, config_stamp
from requests_app.forms import form_started_token
from requests_app.models import (
    IntakeSettings,
    Priority,
    RequestEvent,
    ServiceRequest,
    Team,
)
from requests_app.services.due import request_due_times
from requests_app.tasks import event_dispatch
from routing.escalations import policy_for_request, request_escalations_run
from routing.models import (
    Clock,
    EscalationPolicy,
    EscalationStep,
    RoutingRule,
    ScoreKeyword,
    SlaTarget,
)
from routing.rules import RequestLike, rules_evaluate
from routing.scoring import scoring_context_load
from tests.conftest import INSIDE
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


def raw(sql: str, params: list | None = None) -> None:
    """An edit as another process (or psql) would make it: nothing in this process sees it."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def test_any_write_to_a_cached_table_changes_the_stamp_and_a_team_pick_does_not(city, staff):
    before = config_stamp()
    SlaTarget.objects.create(
        category=city.pothole, response_hours=1, resolution_hours=2, clock=Clock.AROUND_THE_CLOCK
    )
    after_insert = config_stamp()
    assert after_insert != before
    raw("UPDATE routing_slatarget SET resolution_hours = 3")
    after_update = config_stamp()
    assert after_update != after_insert
    team = Team.objects.create(department=city.streets, name="Crew")
    after_team = config_stamp()
    # Every automatic assignment moves last_assigned: that must not throw every copy away.
    team.last_assigned = staff.agent
    team.save(update_fields=["last_assigned"])
    assert config_stamp() == after_team
    team.name = "Crew A"
    team.save(update_fields=["name"])
    assert config_stamp() != after_team


def test_an_sla_edit_by_another_process_applies_to_the_next_due_dates(city):
    target = SlaTarget.objects.create(
        category=city.pothole, response_hours=1, resolution_hours=10, clock=Clock.AROUND_THE_CLOCK
    )
    sr = submit(city)
    assert request_due_times(request=sr)[1] == sr.created_at + timedelta(hours=10)
    raw("UPDATE routing_slatarget SET resolution_hours = 20 WHERE id = %s", [target.pk])
    assert request_due_times(request=sr)[1] == sr.created_at + timedelta(hours=20)
    raw("DELETE FROM routing_slatarget WHERE id = %s", [target.pk])
    # Back to the category's own round-the-clock target.
    expected = sr.created_at + timedelta(hours=city.pothole.resolution_target_hours)
    assert request_due_times(request=sr)[1] == expected


def test_a_rolled_back_edit_leaves_no_stale_copy(city):
    sr = submit(city)
    own = request_due_times(request=sr)
    with pytest.raises(RuntimeError), transaction.atomic():
        SlaTarget.objects.create(
            category=city.pothole,
            response_hours=1,
            resolution_hours=2,
            clock=Clock.AROUND_THE_CLOCK,
        )
        # Loaded inside the doomed transaction...
        assert request_due_times(request=sr)[1] == sr.created_at + timedelta(hours=2)
        raise RuntimeError
    # ... and never used after it: the sequence moved on, the stamp went back.
    assert request_due_times(request=sr) == own


def test_escalation_policy_rule_scoring_intake_and_template_edits_apply_at_once(city):
    assert policy_for_request(category_id=city.pothole.pk, department_id=city.streets.pk) is None
    policy = EscalationPolicy.objects.create(name="City")
    assert policy_for_request(category_id=city.pothole.pk, department_id=city.streets.pk) == policy
    EscalationStep.objects.create(policy=policy, name="Late", value=100)
    found = policy_for_request(category_id=city.pothole.pk, department_id=city.streets.pk)
    assert [s.name for s in found.steps.all()] == ["Late"]
    raw("UPDATE routing_escalationpolicy SET active = false")
    assert policy_for_request(category_id=city.pothole.pk, department_id=city.streets.pk) is None

    like = RequestLike(category=city.pothole, point=None)
    assert rules_evaluate(request_like=like).department == city.streets
    RoutingRule.objects.create(name="All to parks", department=city.parks)
    assert rules_evaluate(request_like=like).department == city.parks

    assert scoring_context_load().keywords == ()
    ScoreKeyword.objects.create(word="gas", points=30)
    assert [w for w, _p, _r in scoring_context_load().keywords] == ["gas"]

    IntakeSettings.load()
    raw("UPDATE requests_app_intakesettings SET min_fill_seconds = 42")
    assert IntakeSettings.load().min_fill_seconds == 42

    context = {"tracking_number": "2603-1234", "city_name": "Town"}
    MessageTemplate.objects.create(
        kind="survey", channel="sms", language="en", body_text="Custom {{ tracking_number }}"
    )
    assert message_render(kind="survey", channel="sms", language="en", context=context).text == (
        "Custom 2603-1234"
    )


def test_a_snapshot_reads_the_stamp_once_and_only_when_asked():
    calls = []
    with CaptureQueriesContext(connection) as queries, config_snapshot():
        pass
    assert len(queries) == 0
    with CaptureQueriesContext(connection) as queries, config_snapshot():
        for _ in range(3):
            config_cached("test.snapshot", lambda: calls.append(1) or len(calls))
    assert len(queries) == 1
    assert calls == [1]


# --- Query counts pinned on the paths the copies serve ----------------------------------------


def test_the_report_post_runs_a_fixed_number_of_queries(client, city, django_assert_num_queries):
    data = {
        "category": city.graffiti.pk,
        "latitude": str(INSIDE[0]),
        "longitude": str(INSIDE[1]),
        "description": "Tags on the wall by the bus stop.",
        "name": "Rosa",
        "email": "rosa@example.com",
        "contact_method": "email",
        "language": "en",
        "action": "submit",
    }

    def post():
        started = form_started_token(at=time.time() - 60)
        key = str(uuid.uuid4())
        return client.post(
            reverse("requests_app:report"), {**data, "idempotency_key": key, "started": started}
        )

    # The first creates the intake settings row, the second loads the copies.
    assert post().status_code == 302
    assert post().status_code == 302
    with django_assert_num_queries(POST_QUERIES):
        assert post().status_code == 302


# Without the copies this POST also read the intake limits twice, checked for a boundary twice,
# found the areas apart from the boundary check, read the service level, and ran full_clean's
# existence and uniqueness checks on rows just loaded (docs/performance.md). 27 until the
# resident pages' reference snapshot shared the config stamp: the category now comes from it.
# 26 -> 15 (round 6): the stamp read once for the whole POST (was five times), the form's
# category from the snapshot (no query), the form's boundary check and the submission's areas
# one query, the key's look-up and the block list one query (was three here, plus the key again
# at submission), the per-sender locks one statement and the rate counts one query. 15 -> 13:
# the request is inserted ON CONFLICT DO NOTHING, with no savepoint and release around it.
POST_QUERIES = 13


def follow_up(sr: ServiceRequest) -> None:
    """What the workers do for a new request: the task for its "created" event, which handles
    every event the handlers write in the same task (requests_app.tasks.event_dispatch)."""
    handled = event_dispatch(sr.events.get(type=RequestEvent.Type.CREATED).pk)
    assert handled == sr.events.count()


def test_the_worker_follow_up_of_a_new_request_runs_a_fixed_number_of_queries(city, staff):
    SlaTarget.objects.create(
        category=city.pothole, response_hours=4, resolution_hours=48, clock=Clock.AROUND_THE_CLOCK
    )
    EscalationPolicy.objects.create(name="City")
    with time_machine.travel(T0, tick=False):
        # The first request creates the settings rows on first use (each a write that changes
        # the stamp), the second loads the copies: a running city has both behind it.
        follow_up(submit(city))
        follow_up(submit(city))
        sr = submit(city)
        with CaptureQueriesContext(connection) as queries:
            follow_up(sr)
    sr.refresh_from_db()
    assert sr.department == city.streets and sr.next_escalation_at is None
    assert len(queries) == FOLLOW_UP_QUERIES, [q["sql"][:90] for q in queries.captured_queries]


# One task for the request and the five events routing writes (each loaded once, for every
# handler): routing on the held row, its department and two status moves in one UPDATE and their
# three events in one INSERT, scoring, the escalation schedule once after the last event, the
# receipt, and the three staff alerts in one insert. It was 64 with a task per event: each
# loaded its event twice and rescheduled the escalations, routing re-read the row and wrote
# three UPDATEs and three INSERTs, and each staff alert cost four queries. 33 -> 30: the receipt
# and the staff alerts share one load of the request (dispatch_shared), one read of the
# request's subscriptions serves the reporter's and the recipients, and the reporter's contacts
# are checked for confirmation in one query. 30 -> 29: scoring reads the priority floor with its
# row lock. 29 -> 18: routing scores the new request in its own transaction on its held row (one
# lock, one UPDATE, one INSERT for both; was a second lock, UPDATE and INSERT with savepoints),
# routing's services write the held row without a savepoint of their own, the reporter's
# subscription and the outbox rows are one INSERT ... ON CONFLICT DO NOTHING each (no savepoint),
# and the escalation schedule, already right, is read without a lock. 18 -> 17: the receipt's
# questions (queued already, opted out, the contact confirmed, the day's receipts) in one query.
# 17 -> 15: the events a handler writes are handed to the dispatch as written (no look-up: Django
# keeps an on_commit note only while their transaction stands), and the messages use the row
# routing has just written (no read of the request with six joins). 15 -> 14: the sensitive place
# that scores the request is read with routing's lock (a subquery, like the priority floor).
# 14 -> 13: the escalation schedule after the events takes that row too (its fired steps read
# with the lock): no read of its own. 13 -> 10: the task reads the config stamp with its event,
# and the reporter's subscription is made, the request's subscriptions read and the receipt's
# questions asked in one statement (was three). 10 -> 9: routing's UPDATE of the held row goes
# with its events' INSERT, one statement (requests_app.services.events.request_save_batched).
# 9 -> 12 (issue 12): the automatic routing's update to the resident, which README promised and
# nobody got, is a message of its own: the request's subscriptions read for its event, its
# questions (queued already, opted out, contact confirmed) and its outbox row's INSERT.
# Issue 11, round 10: a dispatch's messages are one INSERT after its last event; this third
# request of the day from one unconfirmed address gets no receipt and its department's alert
# nobody, so it has one message either way and the count stands (with a receipt, the routed
# update and an alert, one INSERT where there were three: tests/requests_app/test_dispatch.py).
# 12 -> 10 (round 10): the routed update reads the subscriptions the receipt's statement read in
# the same task (dispatch_keep), and asks nothing before it is queued: it is held ten minutes
# and the sender asks then (opted out, unsubscribed, the reporter's contact unconfirmed).
FOLLOW_UP_QUERIES = 10


def test_a_breach_step_runs_a_fixed_number_of_queries(city, staff):
    policy = EscalationPolicy.objects.create(name="City")
    EscalationStep.objects.create(
        policy=policy,
        name="Breach",
        trigger=EscalationStep.Trigger.TARGET_PERCENT,
        target=EscalationStep.Target.RESOLUTION,
        value=100,
        notify=EscalationStep.Notify.SUPERVISORS,
        raise_priority=True,
    )
    with time_machine.travel(T0, tick=False):
        first, second = submit(city), submit(city)
        for sr in (first, second):
            ServiceRequest.objects.filter(pk=sr.pk).update(department=city.streets)
    late = T0 + timedelta(days=30)
    with config_snapshot():
        assert request_escalations_run(request_id=first.pk, now=late) == 1
        with CaptureQueriesContext(connection) as queries:
            assert request_escalations_run(request_id=second.pk, now=late) == 1
    second.refresh_from_db()
    assert second.priority == Priority.HIGH
    assert len(queries) == BREACH_QUERIES, [q["sql"][:90] for q in queries.captured_queries]


# Lock (the whole row, held), fired steps, claim, the supervisors, the pauses the due dates
# need, the priority and due dates in one UPDATE, and the step's events in one INSERT. It was 13:
# the priority change locked and read the row again inside a savepoint of its own, and each
# event was its own INSERT. 9 -> 8: whether it ever waited on the resident comes with the lock,
# so a request that never did needs no read of its pauses. 8 -> 7: the steps fired come with the
# lock too (an array subquery). 7 -> 5: the claim, the priority and due dates, and the events are
# one statement (routing.escalations_writes), the next escalation time in its UPDATE.
BREACH_QUERIES = 5
