"""Statements PREPAREd once per database session, for the hot paths' fixed statements.

Why: for the short statements of a page or of the worker's follow-up, PostgreSQL spends about
as much CPU planning as running them (the staff request page: about 1.1 ms of plans against
0.4 ms of execution; the worker's follow-up of a new request: about 1.7 ms against 1.6 ms,
docs/performance.md). A prepared statement is planned for its first five executions on a
session; then PostgreSQL keeps a generic plan when it costs no more than the custom ones did
(for the statements given here: the same index scans, checked with EXPLAIN and in the tests)
and stops planning. Django binds values on the client (psycopg's client-side cursor), so the
PREPARE is written out here and sent, the first time on a session, in the same round trip as
the EXECUTE: no query is added.

Sessions: what is prepared is kept per psycopg connection (a new connection after
CONN_MAX_AGE, a restart or a dropped connection prepares again, under a new name). PREPARE is
not transactional: a statement prepared in a transaction later rolled back is still there,
so the bench's rolled-back runs and a retried task reuse it. Not for a pooler in transaction
mode (PgBouncer), which hands a session's statements to other clients' transactions."""

from __future__ import annotations

import itertools
import re
import weakref

# Statements PREPAREd on each database session, by session (the psycopg connection): sql -> name.
_PREPARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# A fresh name for every PREPARE: one left behind by a failed round trip is never met again.
_NAMES = itertools.count()
# Each name's PREPARE, for a session of its own that replays a page's statements (the bench).
_PREPARE_TEXTS: dict[str, str] = {}
# Past this many on one session, statements run unprepared: a statement written per row count
# (a multi-row INSERT) must not grow a long-lived worker's session without bound.
SESSION_MOST = 500


def prepares_for(statements: list[str]) -> list[str]:
    """The PREPAREs that the `EXECUTE civic311_…` among `statements` (SQL as captured) need on
    another session: `make bench` replays a page's own SQL on a connection of its own."""
    names = re.findall(r"\bEXECUTE (civic311_\d+)", "\n".join(statements))
    return [_PREPARE_TEXTS[name] for name in dict.fromkeys(names)]


def prepared_text(sql: str) -> str:
    """`sql` (as captured) with each `EXECUTE name (…)` in it written as the statement it runs
    (with `%s` for its values) and the PREPAREs sent with it left out: what a test or a log
    reader looks for in the text."""
    texts = {name: text for text, name in _sql_by_name()}
    for name in texts:
        sql = sql.replace(f"{_PREPARE_TEXTS.get(name)};\n", "")
    return re.sub(r"EXECUTE (civic311_\d+)( \([^;]*\))?", lambda m: texts[m[1]], sql)


def _sql_by_name() -> list[tuple[str, str]]:
    return [pair for names in list(_PREPARED.values()) for pair in names.items()]


def prepared_forget() -> None:
    """Forget every session's statements (the next use prepares again, under a new name), as a
    new connection would: for tests."""
    _PREPARED.clear()


def prepared(cursor, statements: list[tuple[str, tuple[str, ...] | None, list]]) -> None:
    """Run `statements` ((sql, parameter types or None to let PostgreSQL infer them, values))
    on `cursor` in one round trip, each as a prepared statement; the cursor is left on the
    first one's rows (`nextset()` walks on to the next one's). `sql` takes `%s` for its values
    and holds no other `%`; it is the key, so it must be fixed text (names from the models,
    every value a parameter)."""
    names = _PREPARED.setdefault(cursor.db.connection, {})
    new, prepares, run, values = {}, [], [], []
    for sql, types, params in statements:
        name = names.get(sql) or new.get(sql)
        if name is None and len(names) + len(new) >= SESSION_MOST:
            run.append(sql)
            values.extend(params)
            continue
        if name is None:
            name = f"civic311_{next(_NAMES)}"
            numbered = sql.split("%s")
            body = numbered[0] + "".join(f"${i}{part}" for i, part in enumerate(numbered[1:], 1))
            typed = f" ({', '.join(types)})" if types else ""
            prepares.append(f"PREPARE {name}{typed} AS {body}")
            new[sql] = name
        args = f" ({', '.join(['%s'] * len(params))})" if params else ""
        run.append(f"EXECUTE {name}{args}")
        values.extend(params)
    cursor.execute(";\n".join(prepares + run), values)
    for _ in prepares:
        cursor.nextset()
    # Only now: a round trip that failed left no name here to EXECUTE on a session without it.
    names.update(new)
    _PREPARE_TEXTS.update(zip(new.values(), prepares, strict=True))
