from __future__ import annotations

import logging

from django.db import connection

from requests_app.configcache import STAMP_TABLE, config_snapshot, config_snapshot_seed
from requests_app.dispatch import dispatch_failed, dispatch_scope, event_task_enqueue, handlers
from requests_app.models import RequestEvent
from requests_app.prepared import prepared
from requests_app.rows import model_columns, row_convert

logger = logging.getLogger(__name__)

# A chain longer than this (none is today: a new request writes five) goes on in tasks of their
# own, so one task stays well within the worker's timeout.
EVENTS_PER_TASK = 50


def event_dispatch(event_id: int) -> int:
    """Run every registered handler for one event, then for each event those handlers wrote, in
    the order written, in this same task; returns how many events were handled.

    1. Load the event once, with the config stamp; every handler reads it through
       ``dispatch.event_get``.
    2. Run the handlers; one failing does not stop the others.
    3. Take the events they wrote whose transaction stands (as written; one look-up for any
       handed over by id alone) and handle them the same way, up to ``EVENTS_PER_TASK`` (the
       rest get tasks of their own).
    4. Do the work handlers left for the end (``dispatch.after_events``), once each.
    Handlers are idempotent, so a re-delivered task is harmless. A failure on the task's own
    event or in the final work is re-raised so the task is retried; a failure on an event
    written here gives that event a task of its own, retried like any other."""
    failures = []
    handled = 0
    # One read of the config stamp for every handler (requests_app.configcache).
    with config_snapshot(), dispatch_scope() as scope:
        queue = [event_id]
        loaded: dict[int, RequestEvent] = {}
        while queue:
            pk = queue.pop(0)
            if handled >= EVENTS_PER_TASK:
                event_task_enqueue(pk)
                continue
            event = loaded.pop(pk, None) or _event_load(pk)
            if event is None:
                continue
            handled += 1
            scope.current = event
            failed = _handlers_run(event)
            scope.current = None
            if scope.recorded:
                loaded_now = _recorded_load(scope.recorded)
                scope.recorded = []
                loaded.update(loaded_now)
                queue.extend(sorted(loaded_now))
            if failed and pk == event_id:
                failures.extend(failed)
            elif failed:
                event_task_enqueue(pk)
        for key, work in scope.deferred.items():
            try:
                work()
            except Exception as exc:
                logger.exception("work after the events of %s failed: %s", event_id, key)
                failures.append((str(key), exc))
    if failures:
        raise RuntimeError(f"handlers failed for event {event_id}: {[n for n, _ in failures]}")
    return handled


_EVENT: tuple | None = None


def _event_load(pk: int) -> RequestEvent | None:
    """``RequestEvent.objects.filter(pk=pk).first()``, with the config stamp in the same round
    trip for the task's ``config_snapshot`` (routing's rules and the message templates ask for
    it: one query fewer), from a statement written once per process."""
    global _EVENT
    if _EVENT is None:
        names = [f.attname for f in RequestEvent._meta.concrete_fields]
        columns, select, converters = model_columns(RequestEvent, names, alias="e")
        _EVENT = (
            f"SELECT {select}, (SELECT value FROM {STAMP_TABLE} WHERE id = 1) "  # noqa: S608
            f'FROM "{RequestEvent._meta.db_table}" e WHERE e."{RequestEvent._meta.pk.column}" = %s',
            [f.attname for f in columns],
            converters,
        )
    sql, names, converters = _EVENT
    with connection.cursor() as cursor:
        prepared(cursor, [(sql, None, [pk])])
        row = cursor.fetchone()
    if row is None:
        return None
    config_snapshot_seed(row[-1])
    return RequestEvent.from_db(connection.alias, names, row_convert(row[:-1], converters))


def _recorded_load(recorded: list) -> dict[int, RequestEvent]:
    """The events the handlers wrote whose transaction stands: the copies handed over as
    written (no query), else looked up (one query; an event rolled back is not there)."""
    events = {
        pk: event for pk, event, written in recorded if event is not None and written.stands()
    }
    missing = [pk for pk, event, _ in recorded if event is None]
    if missing:
        events.update(RequestEvent.objects.in_bulk(missing))
    return events


def _handlers_run(event: RequestEvent) -> list[tuple[str, Exception]]:
    failures = []
    for name, handler in handlers():
        try:
            handler(event.pk)
        except Exception as exc:
            # Its transaction may have rolled back after a read the others would share.
            dispatch_failed()
            logger.exception("event handler %s failed for event %s", name, event.pk)
            failures.append((name, exc))
    return failures


def staged_photos_purge() -> int:
    from requests_app.services import photos_purge_abandoned

    return photos_purge_abandoned()


def intake_attempts_forget() -> int:
    from requests_app.services import intake_attempts_purge

    return intake_attempts_purge()
