"""Statements prepared once per database session (requests_app.prepared), as the worker's
follow-up of a new report and the staff request page run them: the rows are the plain
statement's, no query is added, a re-used session only EXECUTEs, and a new connection (or one
whose PREPARE failed) prepares again."""

from __future__ import annotations

import itertools

import pytest
from django.db import DataError, connection, transaction
from django.test.utils import CaptureQueriesContext

from notifications.models import OutboxMessage
from requests_app import prepared as prepared_module
from requests_app.models import RequestEvent, ServiceRequest, Status
from requests_app.prepared import prepared, prepared_forget, prepared_text, prepares_for
from requests_app.tasks import event_dispatch
from tests.factories import ReporterFactory
from tests.requests_app.helpers import submit

# Each statement the follow-up of a new report runs as a prepared statement: the task's event
# with the config stamp, routing's lock, the request's UPDATE with its events' INSERT, the
# subscriptions with the receipt's checks, the department's members.
FOLLOW_UP_PREPARED = 5
# The follow-up of a first report from its address (a receipt, the routed update; the count in
# tests/routing/test_config_cache.py is a third report of the day, no receipt): 12 -> 11 in
# issue 11's round 10, the two messages written in one INSERT after the last event; 11 -> 9,
# the routed update with the receipt's read of the subscriptions and no questions of its own.
FOLLOW_UP_QUERIES = 9
EVENTS = 'FROM "requests_app_requestevent" e'
ADDRESSES = itertools.count()


def run(sql: str, params: list) -> tuple[str, list]:
    """`sql` run through `prepared`: the text sent and the rows."""
    with CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
        prepared(cursor, [(sql, None, params)])
        rows = cursor.fetchall()
    (query,) = queries.captured_queries
    return query["sql"], rows


@pytest.mark.django_db
def test_a_statement_is_prepared_once_per_session_and_gives_the_plain_rows(city):
    for _ in range(3):
        submit(city)
    sql = (
        'SELECT "id", "status" FROM "requests_app_servicerequest" '
        'WHERE "status" = %s AND "id" >= %s ORDER BY "id"'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [Status.RECEIVED, 0])
        plain = cursor.fetchall()
    assert len(plain) == 3
    # Past the five custom plans, PostgreSQL may keep the generic one: the rows stay the same.
    for session in range(2):
        prepared_forget()  # as a new connection would: prepared again, under a new name
        names = set()
        for n in range(7):
            sent, rows = run(sql, [Status.RECEIVED, 0])
            assert rows == plain
            assert sent.startswith("PREPARE civic311_" if n == 0 else "EXECUTE civic311_"), sent
            names.add(sent.split()[1])
            assert prepared_text(sent) == sql
        assert len(names) == 1, names
        if session == 0:
            first = names
    assert first != names
    # What a replay on a session of its own (the bench) must prepare first.
    assert prepares_for([sent]) == [f"PREPARE {next(iter(names))} AS " + sql_numbered(sql)]


def sql_numbered(sql: str) -> str:
    return sql.replace("%s", "$1", 1).replace("%s", "$2", 1)


@pytest.mark.django_db
def test_a_failed_round_trip_leaves_no_name_to_execute_and_the_next_prepares_again(city):
    prepared_forget()
    sql = "SELECT 10 / %s"
    with pytest.raises(DataError), transaction.atomic():
        run(sql, [0])  # division by zero: the round trip fails after its PREPARE ran
    sent, rows = run(sql, [5])
    assert sent.startswith("PREPARE civic311_") and rows == [(2,)]
    sent, rows = run(sql, [2])
    assert sent.startswith("EXECUTE civic311_") and rows == [(5,)]


@pytest.mark.django_db
def test_past_the_session_s_limit_a_statement_runs_unprepared(city, monkeypatch):
    prepared_forget()
    monkeypatch.setattr(prepared_module, "SESSION_MOST", 0)
    sent, rows = run("SELECT %s + 1", [41])
    assert sent == "SELECT 41 + 1" and rows == [(42,)]


def follow_up_queries(city) -> tuple[ServiceRequest, list[str]]:
    """A report filed and committed; the worker's follow-up runs inline at the commit (the
    test settings' synchronous django-q) on this connection: the request and the SQL sent."""
    with CaptureQueriesContext(connection) as queries:
        sr = submit(city, reporter=reporter())
    return sr, [q["sql"] for q in queries.captured_queries]


def reporter() -> ReporterFactory:
    # An address of its own: an unconfirmed address gets a few receipts a day, not one a report.
    return ReporterFactory(email=f"rosa{next(ADDRESSES)}@example.com")


def followed_up(sr: ServiceRequest) -> None:
    sr.refresh_from_db()
    assert sr.status == Status.IN_QUEUE and sr.department == sr.category.default_department
    assert sr.events.filter(type=RequestEvent.Type.ROUTED).count() == 1
    assert OutboxMessage.objects.filter(request=sr, template="received").count() == 1


# Committed (the worker's follow-up runs at the commit) and a connection closed mid-test.
@pytest.mark.django_db(transaction=True)
def test_the_follow_up_prepares_on_a_new_connection_and_only_executes_on_a_re_used_one(city, staff):
    # The first report creates the settings rows (each a write that changes the config stamp),
    # the second loads the per-process copies: a running city has both behind it.
    for _ in range(2):
        followed_up(follow_up_queries(city)[0])
    connection.close()
    sr, fresh = follow_up_queries(city)
    followed_up(sr)
    prepares = [s for s in fresh if s.startswith("PREPARE")]
    assert len(prepares) == FOLLOW_UP_PREPARED, [s[:60] for s in prepares]
    assert any(EVENTS in prepared_text(s) for s in prepares)
    sr, reused = follow_up_queries(city)
    followed_up(sr)
    # A re-used session: nothing prepared again, the same statements executed, no query more.
    assert not [s for s in reused if s.startswith("PREPARE")]
    executes = [s for s in reused if s.startswith("EXECUTE civic311_")]
    assert len(executes) == FOLLOW_UP_PREPARED
    assert len(reused) == len(fresh)
    # A new connection (CONN_MAX_AGE, a restart) has none of them: prepared again.
    connection.close()
    sr, again = follow_up_queries(city)
    followed_up(sr)
    prepares_again = [s for s in again if s.startswith("PREPARE")]
    assert len(prepares_again) == FOLLOW_UP_PREPARED
    assert {s.split()[1] for s in prepares_again}.isdisjoint(s.split()[1] for s in prepares)
    assert len(again) == len(fresh)


@pytest.mark.django_db
def test_the_follow_up_on_a_re_used_session_runs_its_pinned_queries_executing_five(city, staff):
    for _ in range(2):  # the settings rows and the copies, then every statement prepared
        sr = submit(city, reporter=reporter())
        event_dispatch(sr.events.get(type=RequestEvent.Type.CREATED).pk)
    sr = submit(city, reporter=reporter())
    with CaptureQueriesContext(connection) as queries:
        event_dispatch(sr.events.get(type=RequestEvent.Type.CREATED).pk)
    followed_up(sr)
    sql = [q["sql"] for q in queries.captured_queries]
    assert len(sql) == FOLLOW_UP_QUERIES, sql
    assert sum(s.startswith("EXECUTE civic311_") for s in sql) == FOLLOW_UP_PREPARED, sql
    assert not [s for s in sql if "PREPARE" in s]
