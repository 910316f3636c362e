"""The queue counters' tally (staff.models.QueueTally): reading it, folding it, rebuilding it.

The trigger from migration 0003_queue_tally appends a row per key for every statement that
writes requests; a key's count is the sum of its rows. Counting a department's 26,000 open
requests took ~100 ms at 1M requests (a COUNT ... FILTER over rows scattered over 17,000 heap
pages); summing its few hundred tally rows takes about a millisecond, whatever the table holds.

Time moves the overdue and due-today counters without any write, so the tally keeps due dates
as UTC days: whole days before today's UTC midnight come from the tally, and the at most two days
from that midnight to the end of the city's day are counted exactly from the request table
(staff.selectors.queue_counters)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import Count, Max, Q, Sum

from requests_app.models import ServiceRequest
from staff.models import QueueTally

KEY_COLUMNS = (
    "department_id",
    "is_open",
    "unassigned",
    "new",
    "unacknowledged",
    "due_day",
    "response_day",
)
SOURCE_COLUMNS = (
    "department_id, status, assignee_id, team_id, acknowledged_at, expected_at, response_due_at"
)


@dataclass(frozen=True)
class TallyTotals:
    new: int
    unassigned: int
    # Open requests due (or first action due) on a UTC day before `before`.
    overdue_before: int
    response_overdue_before: int
    # Changes whenever a request of the scope is written and that write commits: the queue
    # refresh's ETag. (Count, sum and max of the visible tally row ids: a commit adds rows,
    # folding replaces them by fewer, newer ones; either changes the triple.)
    stamp: str


def tally_totals(
    *, department_ids: frozenset[int] | None, unassigned_only: bool, before: date
) -> TallyTotals:
    """One query over the scope's tally rows (None: every department, and requests with none)."""
    rows = QueueTally.objects.all()
    if department_ids is not None:
        rows = rows.filter(department_id__in=sorted(department_ids))
    open_ = Q(is_open=True, unassigned=True) if unassigned_only else Q(is_open=True)
    # Aliases unlike the column names: a filter naming `new` or `unassigned` would otherwise
    # refer to the aggregate of that name.
    totals = rows.aggregate(
        sum_new=Sum("n", filter=open_ & Q(new=True), default=0),
        sum_unassigned=Sum("n", filter=open_ & Q(unassigned=True), default=0),
        sum_overdue=Sum("n", filter=open_ & Q(due_day__lt=before), default=0),
        sum_response=Sum(
            "n", filter=open_ & Q(unacknowledged=True, response_day__lt=before), default=0
        ),
        rows=Count("id"),
        id_sum=Sum("id", default=0),
        id_max=Max("id", default=0),
    )
    return TallyTotals(
        new=totals["sum_new"],
        unassigned=totals["sum_unassigned"],
        overdue_before=totals["sum_overdue"],
        response_overdue_before=totals["sum_response"],
        stamp=f"{totals['rows']}.{totals['id_sum']}.{totals['id_max']}",
    )


def tally_compact() -> int:
    """Fold the tally's rows into one per key (dropping keys that net to zero); returns the rows
    left. Safe beside writers (it deletes only rows its snapshot sees, and their sums go back in
    the same transaction) and beside another fold (a row the other deleted is skipped)."""
    keys = ", ".join(KEY_COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH gone AS (DELETE FROM {QueueTally._meta.db_table} RETURNING {keys}, n)
            INSERT INTO {QueueTally._meta.db_table} ({keys}, n)
            SELECT {keys}, sum(n) FROM gone GROUP BY {keys} HAVING sum(n) <> 0
            ORDER BY {keys}
            """  # noqa: S608 - names from model metadata
        )
        return cursor.rowcount


def tally_rebuild() -> None:
    """Count the tally afresh from the request table (after a restore that skipped triggers, or
    to check the trigger by hand). The request table is locked against writes meanwhile."""
    table = ServiceRequest._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
        cursor.execute(f"DELETE FROM {QueueTally._meta.db_table}")  # noqa: S608
        cursor.execute(
            "SELECT staff_queue_tally_sql(%s)",
            [f"SELECT {SOURCE_COLUMNS}, 1 AS d FROM {table}"],  # noqa: S608
        )
        cursor.execute(cursor.fetchone()[0])
