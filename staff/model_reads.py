"""Rows without the ORM's query building, for the staff request page's reads.

The page's reads are simple (one table, a filter on the request, an order), but building each
through the ORM cost more CPU than running it (about 0.4 ms of compilation a query). These
write the statement once per process from the model's own columns and turn each row into the
model with from_db, after the same converters the ORM applies (JSON, geometry): the objects
are the ones the querysets gave, with the same fields deferred."""

from __future__ import annotations

import itertools
import re
import weakref

from django.db import connection

from requests_app.models import ServiceRequest
from requests_app.rows import model_columns, row_convert

_STATEMENTS: dict[tuple, tuple[str, list[str], list]] = {}


def statement(model, fields: tuple[str, ...], where: str, order: str) -> tuple:
    key = (model, fields, where, order)
    held = _STATEMENTS.get(key)
    if held is None:
        columns, select, converters = model_columns(model, fields, alias=model._meta.db_table)
        sql = f'SELECT {select} FROM "{model._meta.db_table}" WHERE {where} ORDER BY {order}'  # noqa: S608
        held = (sql, [f.attname for f in columns], converters)
        _STATEMENTS[key] = held
    return held


def model_rows(
    model, fields: tuple[str, ...], where: str, order: str, params, *, request=None
) -> list:
    """`model` rows with only `fields` loaded (by attname; the pk is always read), for
    `SELECT ... FROM table WHERE <where> ORDER BY <order>`; `where` and `order` are fixed SQL
    from the caller's module, the values are `params`. Rows read ahead for `request`
    (read_ahead) are taken from there, once."""
    if request is not None:
        ahead = getattr(request, "_staff_read_ahead", None)
        if ahead:
            rows = ahead.pop((model, fields, where, order, tuple(params)), None)
            if rows is not None:
                return rows
    sql, attnames, converters = statement(model, fields, where, order)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [model.from_db(connection.alias, attnames, row_convert(row, converters)) for row in rows]


def read_ahead(*, request: ServiceRequest, specs: list[tuple]) -> None:
    """Run several of these reads in one round trip (one execute of several statements, the
    values bound on the client as for any query here) and keep each one's rows on the request
    object, where the selector that asks for the same read finds them. A round trip costs
    Django, psycopg and PostgreSQL each a share of CPU; the request page made seven of them
    for as many short reads."""
    helds = [statement(*spec[:4]) for spec in specs]
    ahead = {}
    with connection.cursor() as cursor:
        prepared(
            cursor, [(held[0], None, spec[4]) for spec, held in zip(specs, helds, strict=True)]
        )
        for i, (spec, (_sql, attnames, converters)) in enumerate(zip(specs, helds, strict=True)):
            if i:
                cursor.nextset()
            model = spec[0]
            ahead[(*spec[:4], tuple(spec[4]))] = [
                model.from_db(connection.alias, attnames, row_convert(row, converters))
                for row in cursor.fetchall()
            ]
    request._staff_read_ahead = ahead


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
