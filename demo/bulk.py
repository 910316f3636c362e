"""Loading many rows fast with PostgreSQL's COPY: value escaping and timestamps in COPY's text
format, defaults for columns a model gained later, a producer thread that generates while the
database loads, and dropping indexes for a bulk load. Used by the history simulator
(demo.history); nothing here knows what a request's history looks like."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterable, Iterator

from django.db import connection, models

from requests_app.models import Area, AreaSet

NULL = "\\N"
# Columns extra_columns() leaves alone: the identity, the areas (found in SQL), no key.
SET_ELSEWHERE = frozenset({"id", "neighbourhood_id", "ward_id", "idempotency_key"})
COPY_BATCH = 5000  # lines per write to the COPY stream


def copy_text(value: str) -> str:
    """Escape a value for COPY's text format."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


class Stamper:
    """UTC timestamps as COPY text, fast: formatting millions of them with strftime is a
    noticeable share of a large seed, so days and seconds-of-day are cached strings."""

    def __init__(self) -> None:
        self.days: dict[int, str] = {}
        self.seconds = [
            f"{h:02d}:{m:02d}:{sec:02d}+00"
            for h in range(24)
            for m in range(60)
            for sec in range(60)
        ]

    def __call__(self, epoch: float) -> str:
        day, second = divmod(int(epoch), 86400)
        prefix = self.days.get(day)
        if prefix is None:
            prefix = self.days[day] = time.strftime("%Y-%m-%d ", time.gmtime(day * 86400))
        return prefix + self.seconds[second]


def extra_columns(model: type[models.Model], known: tuple[str, ...]) -> tuple[list[str], str]:
    """Columns the model gained after the seed was written, with their default as COPY text, so
    a new field with a Python-side default does not break the seed."""
    names, values = [], []
    for f in model._meta.concrete_fields:
        if f.column in known or f.column in SET_ELSEWHERE:
            continue
        # A NOT NULL field without an explicit default still has one in Python ("" for text).
        wanted = f.has_default() or not f.null
        value = f.get_db_prep_save(f.get_default(), connection) if wanted else None
        if hasattr(value, "dumps"):  # psycopg Jsonb adapter
            value = value.dumps(value.obj)
        names.append(f.column)
        values.append(NULL if value is None else copy_text(str(value)))
    return names, "".join("\t" + v for v in values)


def copy_lines(cursor, table: str, columns: list[str], lines: list[str]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for start in range(0, len(lines), COPY_BATCH):
            copy.write("".join(lines[start : start + COPY_BATCH]))


def ids_reserve(cursor, table: str, n: int) -> int:
    """Reserve n ids from the table's sequence, so rows can reference each other without a round
    trip; returns the first."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, n])
    return cursor.fetchone()[0] - n + 1


def bulk_begin(cursor, tables: tuple[str, ...]) -> list[str]:
    """For a load at least as big as what is there: drop the tables' secondary indexes (rebuilt
    at the end, in the same transaction: building an index once is far cheaper than updating it
    row by row) and, when the database user may, skip the per-row foreign-key triggers (the rows
    are built from ids just read, so they hold). Returns the statements that restore what was
    changed."""
    restore = []
    # The rebuild sorts each index once: with PostgreSQL's default 64 MB a 10M-row load spills
    # every sort to disk. For this transaction only.
    cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
    oids = ", ".join(["%s::regclass"] * len(tables))
    cursor.execute(
        f"""
        SELECT i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid IN ({oids}) AND NOT x.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        """,  # noqa: S608 - placeholders only
        list(tables),
    )
    for name, definition in cursor.fetchall():
        cursor.execute(f'DROP INDEX "{name}"')
        restore.append(definition)
    cursor.execute("SELECT current_setting('is_superuser') = 'on'")
    if cursor.fetchone()[0]:
        cursor.execute("SET LOCAL session_replication_role = replica")
        restore.append("SET LOCAL session_replication_role = origin")
    return restore


def staging_create(cursor, staging: str, table: str) -> None:
    """A temporary copy of the table's shape, with a GiST index for the area join."""
    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {staging} (LIKE {table})")
    cursor.execute(f"CREATE INDEX IF NOT EXISTS {staging}_gist ON {staging} USING gist (location)")


def insert_with_areas(
    cursor, *, staging: str, table: str, columns: list[str], lines: list[str]
) -> None:
    """COPY the lines into the staging table, then insert them into the table with each row's
    neighbourhood and ward found in SQL.

    The area join runs area by area (a few dozen) over the staging table's GiST index, so each
    ST_Intersects tests one polygon against many points and PostGIS reuses its prepared form;
    looking up each row's areas instead tests a different polygon on every call (measured ~100
    times slower), and an UPDATE after loading rewrites every row (measured: a third of the load
    time). A point on a shared border matches two areas; max() picks one."""
    cursor.execute(f"TRUNCATE {staging}")
    copy_lines(cursor, staging, columns, lines)
    cursor.execute(f"ANALYZE {staging}")
    cols = ", ".join(columns)
    staged = ", ".join(f"t.{c}" for c in columns)
    cursor.execute(
        # Table and column names come from model metadata; values are parameters.
        f"""
        INSERT INTO {table} ({cols}, neighbourhood_id, ward_id)
        SELECT {staged}, m.neighbourhood_id, m.ward_id
        FROM {staging} t
        LEFT JOIN (
            SELECT r.id,
                   max(a.id) FILTER (WHERE s.kind = %s) AS neighbourhood_id,
                   max(a.id) FILTER (WHERE s.kind = %s) AS ward_id
            FROM {Area._meta.db_table} a
            JOIN {AreaSet._meta.db_table} s
              ON s.id = a.area_set_id AND s.active AND s.kind IN (%s, %s)
            JOIN {staging} r
              ON r.location && a.geom::geography
             AND ST_Intersects(a.geom, r.location::geometry)
            GROUP BY r.id
        ) m ON m.id = t.id
        """,  # noqa: S608
        [AreaSet.Kind.NEIGHBOURHOOD, AreaSet.Kind.WARD] * 2,
    )


def in_background[T](items: Iterable[T], *, buffered: int = 2) -> Iterator[T]:
    """Yield the items while a producer thread computes the next ones, so Python and PostgreSQL
    work at the same time. The producer must never touch the database (it has no connection of
    its own). An exception in the producer is raised here; leaving the loop early stops it."""
    chunks: queue.Queue = queue.Queue(maxsize=buffered)
    stop = threading.Event()
    done = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(done)
        except BaseException as exc:  # handed to the consumer, which raises it
            put(exc)

    producer = threading.Thread(target=produce, daemon=True)
    producer.start()
    try:
        while True:
            item = chunks.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        producer.join()
