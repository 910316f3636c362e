"""A row the caller already holds under lock is not locked and read again by the workflow
services, and a step that writes several events writes them in one INSERT, in timeline order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from requests_app.models import Priority, RequestEvent, ServiceRequest, Status
from requests_app.prepared import prepared_text
from requests_app.services import (
    event_record,
    events_batched,
    request_hold,
    request_is_held,
    request_lock_held,
    request_priority_change,
    request_route,
    request_status_change,
)
from requests_app.services.due import request_pauses
from tests.requests_app.helpers import routed

pytestmark = pytest.mark.django_db


def _selects_of_the_request(queries) -> list[str]:
    table = ServiceRequest._meta.db_table
    sql = [prepared_text(q["sql"]) for q in queries.captured_queries]
    return [s for s in sql if s.startswith("SELECT") and table in s]


def test_a_held_row_is_changed_in_place_without_reading_it_again(city):
    sr = routed(city)
    with transaction.atomic():
        held = request_lock_held(request_id=sr.pk)
        with CaptureQueriesContext(connection) as queries:
            changed = request_priority_change(
                request=held, actor=None, priority=Priority.HIGH, reason="test"
            )
        assert changed is held and held.priority == Priority.HIGH
    assert _selects_of_the_request(queries) == []
    sr.refresh_from_db()
    assert sr.priority == Priority.HIGH
    assert sr.events.filter(type=RequestEvent.Type.PRIORITY_CHANGED).count() == 1


def test_a_row_held_in_an_earlier_transaction_is_locked_and_read_again(city):
    sr = routed(city)
    with transaction.atomic():
        stale = request_lock_held(request_id=sr.pk)
    assert not request_is_held(stale)
    ServiceRequest.objects.filter(pk=sr.pk).update(version=41)
    with CaptureQueriesContext(connection) as queries:
        changed = request_priority_change(
            request=stale, actor=None, priority=Priority.HIGH, reason="test"
        )
    assert changed is not stale and changed.version == 42
    assert len(_selects_of_the_request(queries)) == 1


def test_batched_events_are_one_insert_in_the_order_recorded(city):
    sr = routed(city)
    before = sr.events.count()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries, events_batched():
        for message in ("first", "second", "third"):
            event_record(request=sr, type=RequestEvent.Type.NOTE, message=message)
        assert sr.events.count() == before  # nothing written until the block ends
    inserts = [q for q in queries.captured_queries if prepared_text(q["sql"]).startswith("INSERT")]
    assert len(inserts) == 1
    notes = sr.events.filter(type=RequestEvent.Type.NOTE).order_by("id")
    assert [e.message for e in notes] == ["first", "second", "third"]


def test_batched_events_are_dispatched_after_commit(city, django_capture_on_commit_callbacks):
    sr = routed(city)
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        transaction.atomic(),
        events_batched(),
    ):
        event_record(request=sr, type=RequestEvent.Type.NOTE, message="one")
        event_record(request=sr, type=RequestEvent.Type.NOTE, message="two")
    assert len(callbacks) == 2


def test_a_block_that_fails_writes_none_of_its_events(city):
    sr = routed(city)
    before = sr.events.count()
    with pytest.raises(ValueError), transaction.atomic(), events_batched():
        event_record(request=sr, type=RequestEvent.Type.NOTE, message="lost")
        raise ValueError
    assert sr.events.count() == before


def test_routing_a_waiting_request_resumes_the_clock_after_its_events_in_order(city, staff):
    t0 = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    with time_machine.travel(t0, tick=False):
        sr = routed(city)
        request_hold(request=sr, actor=staff.agent, message="Which side of the street?")
    sr.refresh_from_db()
    due_before = sr.expected_at
    with time_machine.travel(t0 + timedelta(hours=5), tick=False):
        request_route(request=sr, department=city.parks)
    sr.refresh_from_db()
    assert sr.status == Status.IN_QUEUE and sr.department == city.parks
    last = list(sr.events.order_by("-id").values_list("type", "to_value")[:3])[::-1]
    assert [t for t, _ in last] == [
        RequestEvent.Type.ROUTED,
        RequestEvent.Type.STATUS_CHANGED,
        RequestEvent.Type.DUE_CHANGED,
    ]
    # The five hours waited are added: the pause ended with the status change in the batch.
    assert sr.expected_at - due_before == timedelta(hours=5)


def test_a_status_change_still_in_a_batch_counts_for_the_pauses(city, staff):
    t0 = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    with time_machine.travel(t0, tick=False):
        sr = routed(city)
        request_hold(request=sr, actor=staff.agent, message="Which side of the street?")
    with (
        time_machine.travel(t0 + timedelta(hours=2), tick=False),
        transaction.atomic(),
        events_batched(),
    ):
        held = request_lock_held(request_id=sr.pk)
        request_status_change(request=held, to_status=Status.IN_QUEUE, actor=None)
        # Asked as of later: a wait not seen to end would run until then.
        pauses = request_pauses(request=held, now=t0 + timedelta(hours=3))
    assert pauses == [(t0, t0 + timedelta(hours=2))]


def test_a_row_locked_with_its_waits_skips_the_pauses_read_only_if_it_never_waited(city, staff):
    """The breach step locks with ``waits=True``: a request that never waited on the resident
    needs no read of its pauses; one that did, or that starts waiting in the same transaction,
    still gets every pause."""
    t0 = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    with time_machine.travel(t0, tick=False):
        never, waited, starts = routed(city), routed(city), routed(city)
        request_hold(request=waited, actor=staff.agent, message="Which side of the street?")
    later = t0 + timedelta(hours=3)
    with time_machine.travel(t0 + timedelta(hours=1), tick=False):
        request_status_change(request=waited, to_status=Status.IN_PROGRESS, actor=staff.agent)
    with transaction.atomic():
        held = request_lock_held(request_id=never.pk, waits=True)
        with CaptureQueriesContext(connection) as queries:
            assert request_pauses(request=held, now=later) == []
        assert len(queries) == 0
        held = request_lock_held(request_id=waited.pk, waits=True)
        assert not held.never_waited
        assert request_pauses(request=held, now=later) == [(t0, t0 + timedelta(hours=1))]
    with time_machine.travel(t0 + timedelta(hours=2), tick=False), transaction.atomic():
        held = request_lock_held(request_id=starts.pk, waits=True)
        assert held.never_waited
        request_hold(request=held, actor=staff.agent, message="Which side of the street?")
        assert request_pauses(request=held, now=later) == [(t0 + timedelta(hours=2), later)]
