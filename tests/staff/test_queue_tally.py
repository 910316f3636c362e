"""The queue counters come from a tally a database trigger keeps (staff.QueueTally). Whatever
writes the requests (services, bulk actions, QuerySet.update, bulk loads with triggers
silenced, deletes, TRUNCATE), every counter must equal a recount from the request table, at any
moment of the day."""

from __future__ import annotations

import importlib
import io
import random
from dataclasses import asdict
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from requests_app import services
from requests_app.models import OPEN_STATUSES, Priority, ServiceRequest, Status
from requests_app.permissions import staff_profile
from staff import queue_tally
from staff.models import QueueTally
from staff.selectors import NEW_STATUSES, QueueFilters, queue_counters, queue_scope
from tests.requests_app.helpers import routed

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("staff.migrations.0003_queue_tally")
COUNTERS = ("new", "unassigned", "due_today", "overdue", "response_overdue")


def recount(*, department_ids, unassigned_only=False, assignee=None, now) -> dict[str, int]:
    """The counters by their definitions, in Python over every request: nothing shared with
    the code under test."""
    zone = ZoneInfo(settings.CITY_TIME_ZONE)
    end_of_day = datetime.combine(
        now.astimezone(zone).date() + timedelta(days=1), time.min, tzinfo=zone
    )
    counts = dict.fromkeys(COUNTERS, 0)
    for sr in ServiceRequest.objects.all():
        if sr.status not in OPEN_STATUSES:
            continue
        if assignee is not None and sr.assignee_id != assignee.pk:
            continue
        if department_ids is not None and sr.department_id not in department_ids:
            continue
        unassigned = sr.assignee_id is None and sr.team_id is None
        if unassigned_only and not unassigned:
            continue
        counts["new"] += sr.status in NEW_STATUSES and sr.acknowledged_at is None
        counts["unassigned"] += unassigned
        if sr.expected_at is not None:
            counts["overdue"] += sr.expected_at < now
            counts["due_today"] += now <= sr.expected_at < end_of_day
        counts["response_overdue"] += (
            sr.acknowledged_at is None
            and sr.response_due_at is not None
            and sr.response_due_at < now
        )
    return counts


def counted(user, now, **filters) -> dict[str, int]:
    scope = queue_scope(staff=staff_profile(user), filters=QueueFilters(**filters))
    counters = asdict(queue_counters(scope=scope, user=user, now=now))
    counters.pop("stamp")
    return counters


def moments():
    """Now, and moments either side of the hour, of UTC and local midnights and days away, so
    requests fall on both sides of the tally's hour slots and of the city's day."""
    now = timezone.now()
    zone = ZoneInfo(settings.CITY_TIME_ZONE)
    utc_midnight = datetime.combine(now.astimezone(UTC).date(), time.min, tzinfo=UTC)
    local_midnight = datetime.combine(now.astimezone(zone).date(), time.min, tzinfo=zone)
    hour = now.replace(minute=0, second=0, microsecond=0)
    return [
        hour,
        hour + timedelta(hours=1, seconds=-1),
        hour + timedelta(hours=1, seconds=1),
        now,
        now + timedelta(hours=3),
        now + timedelta(days=1, hours=5),
        now + timedelta(days=4),
        now + timedelta(days=12),
        now - timedelta(days=2),
        utc_midnight + timedelta(days=1, seconds=-1),
        utc_midnight + timedelta(days=1, seconds=1),
        local_midnight + timedelta(days=1, seconds=-1),
        local_midnight + timedelta(days=1, seconds=1),
    ]


def assert_counters_match(city, staff) -> None:
    streets, parks = city.streets.pk, city.parks.pk
    for now in moments():
        views = [
            (staff.agent, {}, recount(department_ids={streets}, now=now)),
            (staff.parks_agent, {}, recount(department_ids={parks}, now=now)),
            (
                staff.agent,
                {"scope": "unassigned", "department": streets},
                recount(department_ids={streets}, unassigned_only=True, now=now),
            ),
            (staff.city_admin, {"scope": "all"}, recount(department_ids=None, now=now)),
            (
                staff.city_admin,
                {"scope": "unassigned"},
                recount(department_ids=None, unassigned_only=True, now=now),
            ),
            (
                staff.agent,
                {"scope": "mine"},
                recount(department_ids=None, assignee=staff.agent, now=now),
            ),
        ]
        for user, filters, expected in views:
            assert counted(user, now, **filters) == expected, (now, filters)


def tally_sums() -> dict[tuple, int]:
    sums: dict[tuple, int] = {}
    for row in QueueTally.objects.all():
        key = tuple(getattr(row, c) for c in queue_tally.KEY_COLUMNS)
        sums[key] = sums.get(key, 0) + row.n
    return {k: v for k, v in sums.items() if v}


def test_the_trigger_knows_the_same_open_and_new_statuses_as_the_code():
    assert MIGRATION.OPEN.replace("''", "'") == ",".join(
        f"'{s}'" for s in sorted(s.value for s in OPEN_STATUSES)
    )
    assert MIGRATION.NEW.replace("''", "'") == ",".join(
        f"'{s}'" for s in sorted(s.value for s in NEW_STATUSES)
    )


def _random_step(rng: random.Random, city, staff, pool: list[ServiceRequest], client) -> None:
    """One random change, through the services (or a bulk action through its view), the way
    staff and residents make them. Moves the state machine refuses are simply refused."""
    sr = rng.choice(pool)
    sr.refresh_from_db()
    actor = staff.supervisor
    step = rng.choice(
        [
            "new",
            "acknowledge",
            "assign",
            "assign_team",
            "unassign",
            "status",
            "hold",
            "resolve",
            "reopen",
            "transfer",
            "priority",
            "comment",
            "bulk_status",
            "bulk_assign",
            "bulk_priority",
            "due",
        ]
    )
    try:
        if step == "new":
            pool.append(routed(city, department=rng.choice([city.streets, None])))
        elif step == "acknowledge":
            services.request_acknowledge(request=sr, actor=actor)
        elif step == "assign":
            person = rng.choice([staff.agent, staff.crew])
            services.request_assign(request=sr, actor=actor, assignee=person)
        elif step == "assign_team":
            services.request_assign(request=sr, actor=actor, team=staff.potholes_team)
        elif step == "unassign":
            ServiceRequest.objects.filter(pk=sr.pk).update(assignee=None, team=None)
        elif step == "status":
            to = rng.choice([Status.IN_PROGRESS, Status.IN_QUEUE, Status.ROUTED])
            services.request_status_change(request=sr, to_status=to, actor=actor)
        elif step == "hold":
            services.request_hold(request=sr, actor=actor, message="Which corner?")
        elif step == "resolve":
            services.request_resolve(request=sr, actor=actor, closure_reason=city.repaired)
        elif step == "reopen":
            services.request_reopen(request=sr, actor=actor, reason="Still there")
        elif step == "transfer":
            to = city.parks if sr.department_id == city.streets.pk else city.streets
            services.request_transfer(request=sr, actor=actor, department=to, reason="Theirs")
        elif step == "priority":
            services.request_priority_change(
                request=sr, actor=actor, priority=rng.choice(Priority.values), override=True
            )
        elif step == "comment":
            services.request_comment(request=sr, actor=actor, message="On it", public=True)
        elif step == "due":
            # Due dates anywhere from three days ago to a week ahead, minute by minute.
            shift = timedelta(minutes=rng.randint(-3 * 24 * 60, 7 * 24 * 60))
            ServiceRequest.objects.filter(pk=sr.pk).update(
                expected_at=timezone.now() + shift,
                response_due_at=timezone.now() + shift / 3,
            )
        else:
            ticked = rng.sample(pool, k=min(3, len(pool)))
            for t in ticked:
                t.refresh_from_db()
            data = {
                "bulk_status": {"action": "status", "status": Status.IN_PROGRESS},
                "bulk_assign": {"action": "assign", "assign_to": f"user:{staff.crew.pk}"},
                "bulk_priority": {"action": "priority", "priority": Priority.HIGH},
            }[step]
            ids = [f"{t.pk}:{t.version}" for t in ticked]
            client.post(reverse("staff:bulk"), {**data, "ids": ids, "next": ""})
    except (
        services.WorkflowError,
        services.TransitionError,
        services.ConflictError,
    ):
        pass


def test_every_counter_equals_a_recount_after_many_random_changes(client, city, staff):
    rng = random.Random(311)
    client.force_login(staff.supervisor)
    pool = [routed(city) for _ in range(6)]
    pool.append(routed(city, department=city.parks, category=city.graffiti, answers={}))
    for i in range(120):
        _random_step(rng, city, staff, pool, client)
        if i % 20 == 19:
            assert_counters_match(city, staff)
            if i % 40 == 39:
                queue_tally.tally_compact()
                assert_counters_match(city, staff)
    assert_counters_match(city, staff)
    # The walk went somewhere: open and closed, acknowledged, assigned, in both departments.
    statuses = set(ServiceRequest.objects.values_list("status", flat=True))
    assert statuses & OPEN_STATUSES and statuses - OPEN_STATUSES
    assert ServiceRequest.objects.filter(acknowledged_at__isnull=False).exists()
    assert ServiceRequest.objects.filter(assignee__isnull=False).exists()
    assert ServiceRequest.objects.filter(department=city.parks).exists()


def test_folding_and_rebuilding_keep_every_count(city, staff):
    for _ in range(3):
        routed(city)
    ServiceRequest.objects.update(priority=Priority.HIGH)
    before = tally_sums()
    rows = QueueTally.objects.count()
    queue_tally.tally_compact()
    assert tally_sums() == before
    assert QueueTally.objects.count() < rows
    assert not QueueTally.objects.filter(n=0).exists()
    queue_tally.tally_rebuild()
    assert tally_sums() == before
    assert_counters_match(city, staff)


def test_folding_turns_hours_more_than_a_week_old_into_days_and_keeps_every_count(city, staff):
    rng = random.Random(7)
    now = timezone.now()
    for _ in range(8):
        sr = routed(city)
        due = now - timedelta(days=rng.randint(9, 40), minutes=rng.randint(0, 24 * 60))
        ServiceRequest.objects.filter(pk=sr.pk).update(
            expected_at=due, response_due_at=due - timedelta(minutes=rng.randint(1, 3000))
        )
    assert_counters_match(city, staff)
    queue_tally.tally_compact()
    assert_counters_match(city, staff)
    slots = QueueTally.objects.filter(is_open=True).values_list("due_slot", "response_slot")
    assert slots
    for due_slot, response_slot in slots:
        for slot in (due_slot, response_slot):
            assert slot is None or slot.astimezone(UTC).time() == time.min
    # A request due this hour keeps its hour (the counters still need to split the day).
    sr = routed(city)
    ServiceRequest.objects.filter(pk=sr.pk).update(expected_at=now)
    queue_tally.tally_compact()
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    assert QueueTally.objects.filter(due_slot=hour).exists()
    assert_counters_match(city, staff)


@pytest.mark.parametrize("zone", ["Asia/Kathmandu", "America/St_Johns"])
def test_counters_are_exact_where_the_city_midnight_is_not_on_the_hour(city, staff, settings, zone):
    """UTC+5:45 and UTC-3:30: the hour before the city's midnight is split by it, and is
    counted from the requests, not from the tally's hour slots."""
    settings.CITY_TIME_ZONE = zone
    tz = ZoneInfo(zone)
    now = timezone.now()
    midnight = datetime.combine(now.astimezone(tz).date() + timedelta(days=1), time.min, tz)
    offsets = [-61, -50, -20, -1, 0, 1, 14, 44, 70]
    for minutes in offsets:
        sr = routed(city)
        due = midnight + timedelta(minutes=minutes)
        ServiceRequest.objects.filter(pk=sr.pk).update(
            expected_at=due, response_due_at=now + timedelta(minutes=minutes)
        )
    assert_counters_match(city, staff)
    queue_tally.tally_compact()
    assert_counters_match(city, staff)


def test_bulk_loads_with_triggers_silenced_are_still_counted(city, staff):
    """The demo's bulk loader sets session_replication_role = replica (ordinary triggers off)
    and inserts with INSERT ... SELECT: the tally's triggers fire all the same."""
    template = routed(city)
    table = ServiceRequest._meta.db_table
    columns = [
        f.column
        for f in ServiceRequest._meta.concrete_fields
        if f.column not in ("id", "tracking_number", "private_token", "idempotency_key")
    ]
    cols = ", ".join(columns)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            f"""
            INSERT INTO {table} ({cols}, tracking_number, private_token)
            SELECT {cols}, 'T-' || g, md5(g::text) || md5('x' || g)
            FROM {table}, generate_series(1, 25) g WHERE id = %s
            """,  # noqa: S608 - names from model metadata
            [template.pk],
        )
    assert ServiceRequest.objects.count() == 26
    assert_counters_match(city, staff)
    ServiceRequest.objects.filter(tracking_number__startswith="T-1").delete()
    assert_counters_match(city, staff)


def test_truncating_the_requests_empties_the_tally(city, staff):
    routed(city)
    with connection.cursor() as cursor:
        # The test's transaction holds deferred foreign-key checks, which TRUNCATE refuses.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {ServiceRequest._meta.db_table} CASCADE")
    assert tally_sums() == {}
    assert counted(staff.agent, timezone.now()) == dict.fromkeys(COUNTERS, 0)


def test_the_stamp_changes_with_any_write_to_the_department_even_one_no_counter_sees(city, staff):
    sr = routed(city)
    scope = queue_scope(staff=staff_profile(staff.agent), filters=QueueFilters())
    stamp = queue_counters(scope=scope, user=staff.agent, now=timezone.now()).stamp
    ServiceRequest.objects.filter(pk=sr.pk).update(address="2 Market St")
    after = queue_counters(scope=scope, user=staff.agent, now=timezone.now()).stamp
    assert after != stamp
    queue_tally.tally_compact()
    assert queue_counters(scope=scope, user=staff.agent, now=timezone.now()).stamp != after


def test_the_tally_is_folded_every_five_minutes_by_a_schedule(city, staff):
    from django.core.management import call_command
    from django_q.models import Schedule

    from staff.tasks import queue_tally_compact

    call_command("setup_schedules", stdout=io.StringIO())
    schedule = Schedule.objects.get(name="queue-tally-compact")
    assert (schedule.func, schedule.minutes) == ("staff.tasks.queue_tally_compact", 5)
    routed(city)
    ServiceRequest.objects.update(address="3 Elm St")
    before = tally_sums()
    assert queue_tally_compact() == len(before)
    assert tally_sums() == before


@pytest.mark.django_db(transaction=True)
def test_the_scheduled_fold_leaves_the_tally_vacuumed_so_a_stamp_read_skips_no_dead_rows(
    city, staff
):
    """The fold deletes every row and inserts their sums: without a VACUUM after it, a queue
    load's stamp walked ten times as many dead index entries as live rows (7.2 ms at 10M)."""
    from staff.tasks import queue_tally_compact

    routed(city)
    for n in range(30):
        ServiceRequest.objects.update(address=f"{n} Elm St")
    before = tally_sums()
    queue_tally_compact()
    assert tally_sums() == before
    table = QueueTally._meta.db_table
    with connection.cursor() as cursor:
        # VACUUM sets the visibility map and pg_class's counts at once (catalog, not stats).
        cursor.execute(
            "SELECT relpages, relallvisible, reltuples FROM pg_class WHERE relname = %s", [table]
        )
        pages, all_visible, tuples = cursor.fetchone()
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        live = cursor.fetchone()[0]
    assert pages > 0 and all_visible == pages
    assert tuples == live


def test_inside_a_transaction_the_fold_still_folds_and_the_vacuum_waits(city, staff):
    routed(city)
    ServiceRequest.objects.update(address="4 Elm St")
    before = tally_sums()
    assert queue_tally.tally_vacuum() is False  # VACUUM cannot run in a transaction
    from staff.tasks import queue_tally_compact

    assert queue_tally_compact() == len(before)
    assert tally_sums() == before
