"""Routing's UPDATE of the held row and its events' INSERT, sent as one statement
(requests_app.services.events.request_save_batched): the row and the events are what the ORM's
save and bulk_create wrote, in the same order (docs/performance.md, "Round 6: the worker's
follow-up")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from requests_app.models import RequestEvent, ServiceRequest, Team
from requests_app.prepared import prepared_text
from requests_app.services import event_record, events_batched, request_mark_held
from requests_app.services import events as events_module
from requests_app.services.events import request_save_batched
from routing.models import RoutingRule
from routing.services import request_route_by_rules
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
EVENT_FIELDS = ("type", "actor_id", "actor_label", "created_at", "public", "from_value")
EVENT_FIELDS += ("to_value", "message", "data")


class Undo(Exception):
    pass


def routed_as_written(request_id: int) -> tuple[dict, list[tuple]]:
    """Route the request by the rules with scoring, then read back its row and its events in
    id order, and undo it all."""
    try:
        with transaction.atomic():
            assert request_route_by_rules(request_id=request_id, score=True)
            row = ServiceRequest.objects.filter(pk=request_id).values().get()
            events = list(
                RequestEvent.objects.filter(request_id=request_id)
                .order_by("pk")
                .values_list(*EVENT_FIELDS)
            )
            raise Undo
    except Undo:
        return row, events


@pytest.mark.parametrize("rule", [False, True])
def test_routing_writes_the_row_and_events_the_orm_wrote(city, monkeypatch, rule):
    if rule:
        # A team, a priority and a tag: saves of the held row between the batched one and the
        # end, and more events (the later saves' columns overlap routing's: version).
        team = Team.objects.create(department=city.parks, name="Painters")
        made = RoutingRule.objects.create(name="Graffiti", team=team, priority="high", tag="paint")
        made.categories.set([city.graffiti])
    with time_machine.travel(T0, tick=False):
        sr = submit(city, category=city.graffiti)
        with CaptureQueriesContext(connection) as queries:
            mine = routed_as_written(sr.pk)
        # Without a rule, every event of the routing goes with its row's UPDATE: no INSERT of
        # its own. (A rule's priority reads the pauses: the batch is written then, and the
        # events after it by themselves.)
        sql = [prepared_text(q["sql"]) for q in queries]
        assert rule or not [
            s for s in sql if s.startswith('INSERT INTO "requests_app_requestevent')
        ]
        assert not [s for s in sql if s.startswith('UPDATE "requests_app_servicerequest" SET "dep')]
        # The ORM's writes: every changed field bound as it binds them.
        monkeypatch.setattr(events_module, "_plain", lambda row, fields: False)
        orm = routed_as_written(sr.pk)
    assert mine == orm
    row, events = mine
    assert row["status"] == "in_queue" and row["version"] > sr.version
    assert [e[0] for e in events][:4] == ["created", "routed", "status_changed", "status_changed"]
    assert not rule or (row["team_id"], row["priority"]) == (team.pk, "high")


def test_a_batched_save_sets_the_event_ids_in_the_order_recorded(city):
    sr = submit(city)
    with transaction.atomic():
        held = request_mark_held(request=ServiceRequest.objects.select_for_update().get(pk=sr.pk))
        with events_batched():
            held.description = "Changed"
            request_save_batched(held, ["description"])
            recorded = [
                event_record(request=held, type=RequestEvent.Type.NOTE, message=str(n))
                for n in range(3)
            ]
            assert all(e.pk is None for e in recorded)
            # Nothing written yet: the row's UPDATE waits for the events.
            assert ServiceRequest.objects.get(pk=sr.pk).description != "Changed"
        assert ServiceRequest.objects.get(pk=sr.pk).description == "Changed"
    ids = [e.pk for e in recorded]
    assert ids == sorted(ids) and not any(e._state.adding for e in recorded)
    notes = sr.events.filter(type=RequestEvent.Type.NOTE).order_by("pk")
    assert list(notes.values_list("pk", "message")) == [(pk, str(n)) for n, pk in enumerate(ids)]


def test_a_row_not_held_or_outside_a_batch_is_saved_at_once(city):
    sr = submit(city)
    with transaction.atomic(), events_batched():
        # Not held: the ORM's save, now.
        sr.description = "Not held"
        request_save_batched(sr, ["description"])
        assert ServiceRequest.objects.get(pk=sr.pk).description == "Not held"
    with transaction.atomic():
        held = request_mark_held(request=ServiceRequest.objects.select_for_update().get(pk=sr.pk))
        held.description = "No batch"
        request_save_batched(held, ["description"])
        assert ServiceRequest.objects.get(pk=sr.pk).description == "No batch"


def test_a_batched_save_of_a_row_gone_raises_as_the_orm_s_save_does(city):
    sr = submit(city)
    with pytest.raises(DatabaseError, match="did not affect any rows"), transaction.atomic():
        held = request_mark_held(request=ServiceRequest.objects.select_for_update().get(pk=sr.pk))
        ServiceRequest.objects.filter(pk=sr.pk).delete()
        with events_batched():
            request_save_batched(held, ["description"])
            event_record(request=held, type=RequestEvent.Type.NOTE, message="gone")
    assert ServiceRequest.objects.filter(pk=sr.pk).exists()
