"""Events reach the other apps through the worker, after commit, and a failing handler does not
stop the others. The events handlers write are handled by the same task, each once, in order."""

from __future__ import annotations

import pytest
from django.db import transaction

from requests_app import dispatch
from requests_app.models import RequestEvent, Status
from requests_app.models import ServiceRequest as ServiceRequestModel
from requests_app.prepared import prepared_text
from requests_app.services import event_record
from requests_app.tasks import event_dispatch
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db


def test_nothing_is_dispatched_before_commit(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sr = submit(city)
    sr.refresh_from_db()
    assert sr.status == Status.RECEIVED
    assert len(callbacks) == 1


def test_after_commit_the_worker_routes_the_request(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sr = submit(city)
    sr.refresh_from_db()
    assert sr.status == Status.IN_QUEUE


def test_a_failing_handler_does_not_stop_the_others_and_the_task_fails(city, monkeypatch):
    sr = submit(city)
    calls = []

    def broken(event_id: int) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(dispatch, "_HANDLERS", [("broken", broken), ("recorder", calls.append)])
    event = sr.events.get()
    with pytest.raises(RuntimeError, match="broken"):
        event_dispatch(event.id)
    assert calls == [event.id]


# --- One task for an event and every event its handlers write ---------------------------------


def test_the_events_routing_writes_are_handled_in_the_same_task_in_order(
    city, monkeypatch, django_capture_on_commit_callbacks
):
    sr = submit(city)
    created = sr.events.get()
    seen = []
    monkeypatch.setattr(dispatch, "_HANDLERS", [*dispatch.handlers(), ("recorder", seen.append)])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        handled = event_dispatch(created.id)
    written = list(sr.events.order_by("id").values_list("id", flat=True))
    assert len(written) > 1 and handled == len(written)
    assert seen == written  # each once, in the order written
    # None of them was handed to a task of its own (the dispatch's own "it committed" notes
    # are no tasks).
    assert not [
        c
        for c in callbacks
        if c.__module__ == dispatch.__name__ and not isinstance(c, dispatch._Written)
    ]


def test_an_event_whose_transaction_rolled_back_is_not_handled(city, monkeypatch):
    sr = submit(city)
    created = sr.events.get()
    seen = []

    def writes_then_rolls_back(event_id: int) -> None:
        if event_id != created.id:
            return
        with pytest.raises(ValueError), transaction.atomic():
            event_record(request=sr, type=RequestEvent.Type.NOTE, message="never happened")
            raise ValueError
        event_record(request=sr, type=RequestEvent.Type.NOTE, message="kept")

    monkeypatch.setattr(
        dispatch, "_HANDLERS", [("writer", writes_then_rolls_back), ("recorder", seen.append)]
    )
    assert event_dispatch(created.id) == 2
    kept = sr.events.get(message="kept")
    assert seen == [created.id, kept.id]


def test_a_failure_on_a_written_event_gives_it_a_task_of_its_own(
    city, monkeypatch, django_capture_on_commit_callbacks
):
    sr = submit(city)
    created = sr.events.get()

    def writer(event_id: int) -> None:
        if event_id == created.id:
            event_record(request=sr, type=RequestEvent.Type.NOTE, message="a note")
        else:
            raise ValueError("boom")

    monkeypatch.setattr(dispatch, "_HANDLERS", [("writer", writer)])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert event_dispatch(created.id) == 2  # the task itself succeeds
    # The note's own task, retried by the workers like any other (beside the dispatch's own
    # note that the event's write stands, which is no task).
    tasks = [c for c in callbacks if not isinstance(c, dispatch._Written)]
    assert [c.__module__ for c in tasks] == [dispatch.__name__]


def test_work_left_for_the_end_is_done_once_after_the_last_event(city, monkeypatch):
    sr = submit(city)
    created = sr.events.get()
    order = []

    def handler(event_id: int) -> None:
        order.append(event_id)
        if event_id == created.id:
            for message in ("one", "two"):
                event_record(request=sr, type=RequestEvent.Type.NOTE, message=message)
        dispatch.after_events(("end", sr.pk), lambda: order.append("end"))

    monkeypatch.setattr(dispatch, "_HANDLERS", [("handler", handler)])
    assert event_dispatch(created.id) == 3
    assert order[-1] == "end" and order.count("end") == 1 and len(order) == 4


def test_outside_a_dispatch_work_for_the_end_is_done_at_once():
    done = []
    dispatch.after_events("x", lambda: done.append(1))
    assert done == [1]


def test_every_handler_reads_the_event_the_task_loaded(
    city, monkeypatch, django_assert_num_queries
):
    sr = submit(city)
    created = sr.events.get()
    got = []

    def reader(event_id: int) -> None:
        with django_assert_num_queries(0):
            got.append(dispatch.event_get(event_id))

    monkeypatch.setattr(dispatch, "_HANDLERS", [("a", reader), ("b", reader)])
    event_dispatch(created.id)
    assert got[0] == created and got[0] is got[1]


def test_a_shared_read_is_loaded_again_after_an_event_is_written_or_a_handler_fails(
    city, monkeypatch
):
    """The request the receipt and the staff alerts render is read once per task only while
    nothing in it writes: a status change by an earlier handler shows in what a later one reads."""
    from notifications.selectors import request_for_messages

    sr = submit(city)
    created = sr.events.get()
    seen = []

    def reader(event_id: int) -> None:
        seen.append(request_for_messages(request_id=sr.pk))

    def writer(event_id: int) -> None:
        if event_id == created.id:
            ServiceRequestModel.objects.filter(pk=sr.pk).update(status=Status.IN_QUEUE)
            event_record(request=sr, type=RequestEvent.Type.NOTE, message="queued")

    def broken(event_id: int) -> None:
        if event_id != created.id:
            ServiceRequestModel.objects.filter(pk=sr.pk).update(status=Status.IN_PROGRESS)
            raise ValueError("boom")

    monkeypatch.setattr(
        dispatch,
        "_HANDLERS",
        [
            ("reader", reader),
            ("again", reader),
            ("writer", writer),
            ("broken", broken),
            ("last", reader),
        ],
    )
    event_dispatch(created.id)
    first = [seen[0], seen[1]]
    assert first[0] is first[1] and first[0].status == Status.RECEIVED  # shared
    # The note written by the first event's writer: the next read loads the row again, and is
    # shared on until the failing handler of the note's event, after which it is loaded again.
    assert seen[2] is not first[0] and seen[2].status == Status.IN_QUEUE
    assert seen[3] is seen[2] and seen[4] is seen[2]
    assert seen[5] is not seen[2] and seen[5].status == Status.IN_PROGRESS
    assert len(seen) == 6


# --- Routing and scoring in one transaction; a re-delivered "created" event (round 3) ----------


def test_a_new_request_is_routed_and_scored_in_one_transaction_with_one_insert(
    city, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from routing.services import request_route_by_rules

    sr = submit(city)
    with CaptureQueriesContext(connection) as queries:
        assert request_route_by_rules(request_id=sr.pk, score=True) is True
    types = list(sr.events.order_by("id").values_list("type", "to_value"))
    assert types == [
        ("created", Status.RECEIVED),
        ("routed", city.streets.name),
        ("status_changed", Status.ROUTED),
        ("status_changed", Status.IN_QUEUE),
        ("scored", types[-1][1]),
    ]
    sql = [prepared_text(q["sql"]) for q in queries.captured_queries]
    # The UPDATE and the events' INSERT go as one statement (events.request_save_batched).
    updates = [s for s in sql if s.startswith("UPDATE") or " AS (UPDATE " in s]
    assert len(updates) == 1
    assert sum('INSERT INTO "requests_app_requestevent"' in s for s in sql) == 1
    assert 'INSERT INTO "requests_app_requestevent"' in updates[0]
    assert sum("FOR UPDATE" in s for s in sql) == 1
    sr.refresh_from_db()
    assert sr.score is not None and sr.department == city.streets


def test_a_failure_while_scoring_rolls_back_the_routing_and_the_retry_does_both(city, monkeypatch):
    from routing import services

    sr = submit(city)
    created = sr.events.get()

    def broken(**kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(services, "score_record", broken)
    with pytest.raises(RuntimeError, match="routing"):
        event_dispatch(created.id)
    sr.refresh_from_db()
    assert sr.status == Status.RECEIVED and sr.department is None and sr.score is None
    assert list(sr.events.values_list("type", flat=True)) == ["created"]
    monkeypatch.undo()
    event_dispatch(created.id)  # the task, retried
    sr.refresh_from_db()
    assert sr.status == Status.IN_QUEUE and sr.score is not None
    assert sr.events.filter(type=RequestEvent.Type.SCORED).count() == 1


def test_a_redelivered_created_event_queues_what_a_worker_killed_after_routing_left(city, staff):
    """The first delivery died right after routing committed: nothing routing wrote was
    handled. The re-delivered task finds the request routed and hands those events on again,
    so the department's new-request alerts are queued; a further delivery adds nothing."""
    from notifications.models import OutboxMessage
    from routing.services import request_route_by_rules
    from tests.notifications.staff_helpers import alerted_usernames, give_emails

    give_emails(staff)
    sr = submit(city)
    created = sr.events.get()
    # Outside a dispatch the events are handed on after commit: never, in this test's
    # transaction, as when the worker dies.
    assert request_route_by_rules(request_id=sr.pk, score=True) is True
    assert not OutboxMessage.objects.filter(template="staff_new_request").exists()
    handled = event_dispatch(created.id)
    assert handled == sr.events.count()
    assert alerted_usernames("staff_new_request") == ["alex", "casey", "sam"]
    queued = OutboxMessage.objects.count()
    event_dispatch(created.id)
    assert OutboxMessage.objects.count() == queued


def test_written_events_are_handed_over_as_a_read_of_their_rows_gives_them(city, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sr = submit(city)
    created = sr.events.get()
    handed = []

    def writer(event_id: int) -> None:
        if event_id == created.id:
            event_record(
                request=sr,
                type=RequestEvent.Type.STATUS_CHANGED,
                to_value=Status.ROUTED,
                data={"at": (1, 2), "n": 1},
            )
        else:
            handed.append(dispatch.event_get(event_id))

    monkeypatch.setattr(dispatch, "_HANDLERS", [("writer", writer)])
    with CaptureQueriesContext(connection) as queries:
        assert event_dispatch(created.id) == 2
    # Loaded once (the task's own event), written once: the written one is not read back.
    assert sum('FROM "requests_app_requestevent"' in prepared_text(q["sql"]) for q in queries) == 1
    (event,) = handed
    stored = RequestEvent.objects.get(pk=event.pk)
    fields = [f.attname for f in RequestEvent._meta.concrete_fields]
    assert [getattr(event, f) for f in fields] == [getattr(stored, f) for f in fields]
    assert type(event.to_value) is str and event.data == {"at": [1, 2], "n": 1}
    assert "request" not in event._state.fields_cache  # no object the writer had in hand


def test_the_messages_read_the_row_routing_wrote_until_something_else_writes(city, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications.selectors import request_for_messages

    sr = submit(city)
    created = sr.events.get()
    reads = []

    def reader(event_id: int) -> None:
        event = dispatch.event_get(event_id)
        with CaptureQueriesContext(connection) as queries:
            request = request_for_messages(request_id=sr.pk)
            reads.append((event.type, len(queries), request.department_id, request.category.name))
        if event.type == RequestEvent.Type.SCORED:
            event_record(request=sr, type=RequestEvent.Type.NOTE, message="after the score")

    monkeypatch.setattr(dispatch, "_HANDLERS", [*dispatch.handlers(), ("reader", reader)])
    event_dispatch(created.id)
    sr.refresh_from_db()
    by_type = {t: (n, d, c) for t, n, d, c in reads}
    # Routing's row, as written (its department), with no read; after the note, read again.
    assert by_type[RequestEvent.Type.ROUTED] == (0, sr.department_id, sr.category.name)
    assert by_type[RequestEvent.Type.NOTE][0] == 1


# --- Batched writes (dispatch_batch): the outbox's rows of a burst in one INSERT -------------


def test_a_batch_is_flushed_once_after_the_last_event_and_only_at_the_dispatchs_own_depth():
    flushed = []
    with dispatch.dispatch_scope() as scope:
        assert dispatch.dispatch_batch("k", [1], flushed.append)
        assert dispatch.dispatch_batch("k", [2], flushed.append)
        # Inside a block a handler opened itself, a held row would outlive its rollback: the
        # caller writes it at once.
        with transaction.atomic():
            assert not dispatch.dispatch_batch("k", [3], flushed.append)
        assert flushed == []
        for work in scope.deferred.values():
            work()
    assert flushed == [[1, 2]]
    # Outside a dispatch nothing is held.
    assert not dispatch.dispatch_batch("k", [4], flushed.append)


def test_the_follow_up_of_a_new_request_writes_its_messages_in_one_insert(city, staff, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications import outbox
    from notifications.models import OutboxMessage

    # The Streets supervisor has an address for the department's alert of new work.
    type(staff.supervisor).objects.filter(pk=staff.supervisor.pk).update(email="sam@city.example")
    sr = submit(city)
    created = sr.events.get(type=RequestEvent.Type.CREATED).pk
    sent = []
    monkeypatch.setattr(outbox, "message_send_enqueue", lambda message_id: sent.append(message_id))
    with CaptureQueriesContext(connection) as queries:
        event_dispatch(created)
    sqls = [prepared_text(q["sql"]) for q in queries.captured_queries]
    inserts = [s for s in sqls if s.startswith('INSERT INTO "notifications_outboxmessage"')]
    assert len(inserts) == 1, sqls
    rows = {m.template: m for m in OutboxMessage.objects.filter(request=sr)}
    # The receipt, the automatic routing's update (held ROUTED_QUIET) and the department's alert.
    assert {"received", "routed", "staff_new_request"} <= rows.keys()
    assert rows["routed"].next_attempt_at is not None
    # Handed to a worker (after commit) once written, with its id: the receipt; not the held
    # update, nor the supervisor's alert, which waits for their digest.
    assert rows["staff_new_request"].digest
    assert sent == [rows["received"].pk]


def test_a_kept_read_outlives_the_events_written_but_not_a_failed_handler():
    with dispatch.dispatch_scope():
        dispatch.dispatch_keep("subs", [1])
        dispatch.dispatch_written()  # routing wrote an event: a shared read would go
        assert dispatch.dispatch_kept("subs") == [1]
        dispatch.dispatch_drop("subs")  # the handler that writes it drops it
        assert dispatch.dispatch_kept("subs") is None
        dispatch.dispatch_keep("subs", [2])
        dispatch.dispatch_failed()  # its transaction may have rolled back
        assert dispatch.dispatch_kept("subs") is None
    dispatch.dispatch_keep("subs", [3])  # outside a dispatch nothing is kept
    assert dispatch.dispatch_kept("subs") is None
