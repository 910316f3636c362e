"""The queue counters' tally (staff.models.QueueTally): reading it, folding it, rebuilding it.

The trigger (migrations 0003_queue_tally and 0004_queue_tally_hour_slots) appends a row per key
for every statement that writes requests; a key's count is the sum of its rows. Counting a
department's 26,000 open requests took ~100 ms at 1M requests (a COUNT ... FILTER over rows
scattered over 17,000 heap pages); summing its tally rows takes about a millisecond.

Time moves the overdue and due-today counters without any write, so the tally keeps due dates
as slots: the start of their UTC hour. Whole hours before the current one come from the tally,
and so do the whole hours from the next one to the end of the city's day; only the current hour
(and, where the city's midnight is not on the hour, the part hour before it) is counted exactly
from the request table (staff.selectors.queue_counters). That is bounded by an hour's due
requests, not a day's or two, so it hardly grows with the table. Folding turns the slots of
hours more than a week old into their UTC day, which keeps the tally small: no counter asks
where, inside a day that long ago, something fell due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from requests_app.models import ServiceRequest
from staff.models import QueueTally

KEY_COLUMNS = (
    "department_id",
    "is_open",
    "unassigned",
    "new",
    "unacknowledged",
    "due_slot",
    "response_slot",
)
HOUR = timedelta(hours=1)
# Folding turns the hour slots of UTC days that began this long before today into day slots.
FOLD_HOURS_AFTER = timedelta(days=7)
SOURCE_COLUMNS = (
    "department_id, status, assignee_id, team_id, acknowledged_at, expected_at, response_due_at"
)


def hour_floor(moment: datetime) -> datetime:
    """The start of the UTC hour `moment` falls in: the slot the trigger gives it."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class TallyTotals:
    new: int
    unassigned: int
    # Open requests due (or first action due) before the current hour's slot.
    overdue_before: int
    response_overdue_before: int
    # Open requests due in the whole hours from the next slot to the end of the city's day.
    due_later_today: int
    # Changes whenever a request of the scope is written and that write commits: the queue
    # refresh's ETag. (Count, sum and max of the visible tally row ids: a commit adds rows,
    # folding replaces them by fewer, newer ones; either changes the triple.)
    stamp: str


def _scope_rows(department_ids: frozenset[int] | None):
    rows = QueueTally.objects.all()
    if department_ids is not None:
        rows = rows.filter(department_id__in=sorted(department_ids))
    return rows


def _stamp(totals: dict) -> str:
    return f"{totals['rows']}.{totals['id_sum']}.{totals['id_max']}"


STAMP_AGGREGATES = {
    "rows": Count("id"),
    "id_sum": Sum("id", default=0),
    "id_max": Max("id", default=0),
}


def tally_totals(
    *,
    department_ids: frozenset[int] | None,
    unassigned_only: bool,
    now: datetime,
    end_of_day: datetime,
) -> TallyTotals:
    """One query over the scope's tally rows (None: every department, and requests with none).

    A slot stands for the hour (once folded and old, the UTC day) that starts at its value. So
    a slot lies wholly before `now`'s hour when it is less than that hour's start, and wholly
    inside [next hour, end of the city's day) when it is at least the next hour's start and less
    than the start of the hour the city's midnight falls in (that midnight itself when it is on
    the hour)."""
    hour = hour_floor(now)
    later_end = hour_floor(end_of_day)
    open_ = Q(is_open=True, unassigned=True) if unassigned_only else Q(is_open=True)
    # Aliases unlike the column names: a filter naming `new` or `unassigned` would otherwise
    # refer to the aggregate of that name.
    totals = _scope_rows(department_ids).aggregate(
        sum_new=Sum("n", filter=open_ & Q(new=True), default=0),
        sum_unassigned=Sum("n", filter=open_ & Q(unassigned=True), default=0),
        sum_overdue=Sum("n", filter=open_ & Q(due_slot__lt=hour), default=0),
        sum_response=Sum(
            "n", filter=open_ & Q(unacknowledged=True, response_slot__lt=hour), default=0
        ),
        sum_later=Sum(
            "n", filter=open_ & Q(due_slot__gte=hour + HOUR, due_slot__lt=later_end), default=0
        ),
        **STAMP_AGGREGATES,
    )
    return TallyTotals(
        new=totals["sum_new"],
        unassigned=totals["sum_unassigned"],
        overdue_before=totals["sum_overdue"],
        response_overdue_before=totals["sum_response"],
        due_later_today=totals["sum_later"],
        stamp=_stamp(totals),
    )


def tally_stamp(*, department_ids: frozenset[int] | None) -> str:
    """TallyTotals.stamp alone (the queue refresh's ETag, before it decides to render)."""
    return _stamp(_scope_rows(department_ids).aggregate(**STAMP_AGGREGATES))


def tally_compact(*, now: datetime | None = None) -> int:
    """Fold the tally's rows into one per key (dropping keys that net to zero), the hour slots
    of UTC days that began more than a week before today becoming their day's slot; returns
    the rows left. Safe beside writers (it deletes only rows its snapshot sees, and their sums
    go back in the same transaction) and beside another fold (a row the other deleted is
    skipped). The counters stay exact for any moment after the first of those days ends."""
    now = now or timezone.now()
    before = datetime.combine(now.astimezone(UTC).date(), datetime.min.time(), tzinfo=UTC)
    before -= FOLD_HOURS_AFTER
    keys = ", ".join(KEY_COLUMNS)
    table = QueueTally._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH gone AS (DELETE FROM {table} RETURNING {keys}, n)
            INSERT INTO {table} ({keys}, n)
            SELECT {keys}, sum(n)
            FROM (
                SELECT department_id, is_open, unassigned, new, unacknowledged,
                       CASE WHEN due_slot < %(before)s THEN date_trunc('day', due_slot, 'UTC')
                            ELSE due_slot END AS due_slot,
                       CASE WHEN response_slot < %(before)s
                            THEN date_trunc('day', response_slot, 'UTC')
                            ELSE response_slot END AS response_slot,
                       n
                FROM gone
            ) g
            GROUP BY {keys} HAVING sum(n) <> 0
            ORDER BY {keys}
            """,  # noqa: S608 - names from model metadata
            {"before": before},
        )
        return cursor.rowcount


def tally_rebuild() -> None:
    """Count the tally afresh from the request table (after a restore that skipped triggers, or
    to check the trigger by hand), then fold it. The request table is locked against writes
    meanwhile."""
    table = ServiceRequest._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
        cursor.execute(f"DELETE FROM {QueueTally._meta.db_table}")  # noqa: S608
        cursor.execute(
            "SELECT staff_queue_tally_sql(%s)",
            [f"SELECT {SOURCE_COLUMNS}, 1 AS d FROM {table}"],  # noqa: S608
        )
        cursor.execute(cursor.fetchone()[0])
        tally_compact()
