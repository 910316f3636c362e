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


# The two reads below are written in SQL: built through the ORM, the sums with their seven
# filters cost ~2.3 ms of Python per queue load to compile (the query itself ~0.2 ms).
TABLE = QueueTally._meta.db_table
STAMP_SQL = "count(*), coalesce(sum(id), 0), coalesce(max(id), 0)"


def _scope_where(department_ids: frozenset[int] | None) -> tuple[str, dict]:
    if department_ids is None:
        return "", {}
    return "WHERE department_id = ANY(%(t_departments)s)", {"t_departments": sorted(department_ids)}


def tally_totals_sql(
    *,
    department_ids: frozenset[int] | None,
    unassigned_only: bool,
    now: datetime,
    end_of_day: datetime,
) -> tuple[str, dict]:
    """The sums over the scope's tally rows (None: every department, and requests with none),
    as a statement and its named parameters (all prefixed `t_`), for the caller to read beside
    its other counts in one round trip; tally_totals_row reads its row (the first
    TALLY_TOTALS_WIDTH columns).

    A slot stands for the hour (once folded and old, the UTC day) that starts at its value. So
    a slot lies wholly before `now`'s hour when it is less than that hour's start, and wholly
    inside [next hour, end of the city's day) when it is at least the next hour's start and less
    than the start of the hour the city's midnight falls in (that midnight itself when it is on
    the hour)."""
    hour = hour_floor(now)
    open_ = "is_open AND unassigned" if unassigned_only else "is_open"
    where, params = _scope_where(department_ids)
    sql = f"""
        SELECT coalesce(sum(n) FILTER (WHERE {open_} AND new), 0),
               coalesce(sum(n) FILTER (WHERE {open_} AND unassigned), 0),
               coalesce(sum(n) FILTER (WHERE {open_} AND due_slot < %(t_hour)s), 0),
               coalesce(sum(n) FILTER (WHERE {open_} AND unacknowledged
                                         AND response_slot < %(t_hour)s), 0),
               coalesce(sum(n) FILTER (WHERE {open_} AND due_slot >= %(t_next)s
                                         AND due_slot < %(t_end)s), 0),
               {STAMP_SQL}
        FROM {TABLE} {where}
    """  # noqa: S608 - names and conditions from constants above
    params.update({"t_hour": hour, "t_next": hour + HOUR, "t_end": hour_floor(end_of_day)})
    return sql, params


TALLY_TOTALS_WIDTH = 8


def tally_totals_row(row) -> TallyTotals:
    new, unassigned, overdue, response, later, *stamp = row[:TALLY_TOTALS_WIDTH]
    return TallyTotals(
        new=new,
        unassigned=unassigned,
        overdue_before=overdue,
        response_overdue_before=response,
        due_later_today=later,
        stamp=".".join(str(v) for v in stamp),
    )


def tally_stamp(*, department_ids: frozenset[int] | None) -> str:
    """TallyTotals.stamp alone (the queue refresh's ETag, before it decides to render)."""
    where, params = _scope_where(department_ids)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {STAMP_SQL} FROM {TABLE} {where}", params)  # noqa: S608
        return ".".join(str(v) for v in cursor.fetchone())


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


def tally_vacuum() -> bool:
    """VACUUM (ANALYZE) the tally after a fold. The fold deletes every row and inserts their sums,
    so right after it the table is mostly dead rows: at 10M requests one department's stamp read
    walked 56,403 index entries for 2,218 live rows (7.2 ms; 0.35 ms once vacuumed), and its
    statistics still counted the dead. Autovacuum gets there only when it next wakes. Returns
    False, having done nothing, inside a transaction (VACUUM cannot run in one)."""
    if connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {QueueTally._meta.db_table}")
    return True


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
