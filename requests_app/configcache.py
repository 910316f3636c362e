"""Per-process copies of the small tables admins edit (service levels, calendars, escalation
policies, routing rules, scoring weights, intake limits), checked against one stamp in the
database so an admin's edit takes effect on the next request or task in every process.

Why: the report POST and the worker's follow-up read the same few rows for every request. Read
from the database each time they cost 2-5 queries per lookup (about 20 queries a report at 1M
requests); kept in memory they cost one cheap stamp read.

How it stays correct:

1. Each cached table has a statement-level trigger (migrations ``*_config_stamp``) that sets the
   one row of ``requests_app_configstamp`` to a new value from a sequence on any write: the
   admin, ``load_city``, a bulk update, raw SQL, a TRUNCATE.
2. ``config_cached(name, loader)`` keeps ``loader()``'s result with the stamp it was loaded
   under and loads again when the stamp differs. A sequence never goes back, so an edit that was
   rolled back (an aborted admin save, a test) leaves a stamp no copy was loaded under: a copy
   taken inside that transaction is never reused afterwards.
3. The stamp is read once per ``config_snapshot()`` block (one task, one sweep), else once per
   lookup. Inside a block a change made by that same block is not seen: blocks are short units
   of work that do not edit these tables.
4. With no stamp row (a database flushed outside the migrations), nothing is cached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection

STAMP_TABLE = "requests_app_configstamp"

# name -> (stamp it was loaded under, value)
_CACHE: dict[str, tuple[int, Any]] = {}
_UNREAD = object()
# The innermost config_snapshot() block's stamp, read on its first lookup ([_UNREAD] until
# then, so a block that looks nothing up costs no query), and its memo (config_snapshot_memo);
# None outside any block.
_SNAPSHOT: ContextVar[list | None] = ContextVar("config_snapshot", default=None)


def config_stamp() -> int | None:
    """The current stamp (None when there is no stamp row: cache nothing)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {STAMP_TABLE} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else None


@contextmanager
def config_snapshot() -> Iterator[None]:
    """Read the stamp at most once for the whole block (a task, a sweep); nested blocks share
    the outer one's."""
    if _SNAPSHOT.get() is not None:
        yield
        return
    token = _SNAPSHOT.set([_UNREAD, {}])
    try:
        yield
    finally:
        _SNAPSHOT.reset(token)


def config_snapshot_seed(stamp: int | None) -> None:
    """Hand the innermost config_snapshot() block a stamp read with another query (a worker
    task reads it with its event: one round trip fewer); a block that has read it keeps its."""
    held = _SNAPSHOT.get()
    if held is not None and held[0] is _UNREAD:
        held[0] = stamp


def config_stamp_now() -> int | None:
    """The stamp: the enclosing config_snapshot() block's (read on first use), else read now."""
    held = _SNAPSHOT.get()
    if held is None:
        return config_stamp()
    if held[0] is _UNREAD:
        held[0] = config_stamp()
    return held[0]


def config_snapshot_memo[T](key: tuple, loader: Callable[[], T]) -> T:
    """``loader()``'s result kept for the rest of the enclosing config_snapshot() block (a
    look-up at the tables behind the stamp that two steps of one unit of work ask for with the
    same key); outside any block, loaded every time. As stale as the block's stamp, no more."""
    held = _SNAPSHOT.get()
    if held is None:
        return loader()
    memo = held[1]
    if key not in memo:
        memo[key] = loader()
    return memo[key]


def config_cached[T](name: str, loader: Callable[[], T]) -> T:
    """``loader()``'s result, loaded again only when the stamp has changed since."""
    stamp = config_stamp_now()
    if stamp is None:
        return loader()
    held = _CACHE.get(name)
    if held is not None and held[0] == stamp:
        return held[1]
    value = loader()
    _CACHE[name] = (stamp, value)
    return value


def config_cache_clear() -> None:
    """Forget every copy (tests that change settings the loaders read)."""
    _CACHE.clear()


def config_stamp_trigger_sql(table: str, columns: str = "") -> tuple[str, str]:
    """(create, drop) SQL for the statement-level trigger that changes the stamp on writes to
    `table` (only when one of `columns` is updated, if given). Every app's migration that adds a
    cached table uses it."""
    update = f"UPDATE OF {columns}" if columns else "UPDATE"
    name = f"{table}_configstamp"
    create = (
        f"CREATE TRIGGER {name} AFTER INSERT OR {update} OR DELETE OR TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION requests_app_configstamp_touch();"
    )
    return create, f"DROP TRIGGER IF EXISTS {name} ON {table};"
