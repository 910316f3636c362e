"""The queue's orders over every department come from an index, not a sort of every open row.

At 1M requests an operator's "all departments" or "unassigned" queue read and sorted about
90,000 open rows for each page (0.5-1.1 s); the partial indexes request_open_due_all and
request_open_created give the first page in 0.2 ms. The planner's choice at test size would be a
sequential scan, so the test takes sequential scans and sorts off the table and checks that the
plan still needs no sort: only an index in the queue's own order can give that."""

from __future__ import annotations

import json

import pytest
from django.db import connection, transaction
from django.db.models import F

from requests_app.models import OPEN_STATUSES, ServiceRequest

pytestmark = pytest.mark.django_db

ORDERS = {
    "soonest due": (F("expected_at").asc(nulls_last=True), "created_at", "id"),
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
}


def plan_nodes(plan: dict) -> list[str]:
    nodes = [plan["Node Type"]]
    for child in plan.get("Plans", []):
        nodes += plan_nodes(child)
    return nodes


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("unassigned", [False, True])
def test_a_queue_over_every_department_is_read_in_order_from_an_index(order, unassigned):
    rows = ServiceRequest.objects.filter(status__in=OPEN_STATUSES)
    if unassigned:
        rows = rows.filter(assignee__isnull=True, team__isnull=True)
    sql, params = rows.order_by(*ORDERS[order]).values("id")[:51].query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)
    nodes = plan_nodes(plan[0]["Plan"])
    assert not any("Sort" in node for node in nodes), nodes
    assert any("Index" in node for node in nodes), nodes
