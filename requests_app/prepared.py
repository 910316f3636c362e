"""Statements PREPAREd once per database session and EXECUTEd after (`prepared`): the staff
request page's reads (staff.model_reads, staff.detail_selectors) and the public list's page
(requests_app.public_list), whose planning cost PostgreSQL more than running them."""

from __future__ import annotations

import itertools
import re
import weakref

# Statements PREPAREd on each database session, by session (the psycopg connection, so a new
# connection after CONN_MAX_AGE or a restart prepares again; PREPARE outlives a rollback).
_PREPARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# A fresh name for every PREPARE: one left behind by a failed round trip is never met again.
_NAMES = itertools.count()
# Each name's PREPARE, for a session of its own that replays a page's statements (the bench).
_PREPARE_TEXTS: dict[str, str] = {}


def prepares_for(statements: list[str]) -> list[str]:
    """The PREPAREs that the `EXECUTE civic311_…` among `statements` (a page's SQL as captured)
    need on another session: `make bench` replays a page's own SQL on a connection of its own."""
    names = re.findall(r"\bEXECUTE (civic311_\d+)", "\n".join(statements))
    return [_PREPARE_TEXTS[name] for name in dict.fromkeys(names)]


def prepared(cursor, statements: list[tuple[str, tuple[str, ...] | None, list]]) -> None:
    """Run `statements` ((sql, parameter types or None to let PostgreSQL infer them, values))
    on `cursor` in one round trip, each as a prepared statement; the cursor is left on the
    first one's rows (`nextset()` walks on to the next one's).

    Why: PostgreSQL spent more CPU planning the request page's statements than running them
    (about 1.1 ms of plans against 0.4 ms of execution, the nearby search's 0.5 ms the largest:
    the geography index's selectivity estimates). A prepared statement is planned for its
    first five executions on a session; then PostgreSQL keeps a generic plan when it costs no
    more than the custom ones did (for these: the same index scans, checked with EXPLAIN) and
    stops planning. Django binds values on the client, so the PREPARE is written out here and
    sent, the first time on a session, in the same round trip as the EXECUTEs (the queries a
    page makes do not change). `sql` takes `%s` for its values and holds no other `%`."""
    names = _PREPARED.setdefault(cursor.db.connection, {})
    new, prepares, run, values = {}, [], [], []
    for sql, types, params in statements:
        name = names.get(sql) or new.get(sql)
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
