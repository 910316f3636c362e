"""Rows without the ORM's query building, for the staff request page's reads.

The page's reads are simple (one table, a filter on the request, an order), but building each
through the ORM cost more CPU than running it (about 0.4 ms of compilation a query). These
write the statement once per process from the model's own columns and turn each row into the
model with from_db, after the same converters the ORM applies (JSON, geometry): the objects
are the ones the querysets gave, with the same fields deferred."""

from __future__ import annotations

import itertools
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
    params = [value for spec in specs for value in spec[4]]
    ahead = {}
    with connection.cursor() as cursor:
        cursor.execute(";\n".join(held[0] for held in helds), params)
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


def prepared_rows(sql: str, types: tuple[str, ...], params: list) -> list[tuple]:
    """The rows of `sql` ($1, $2… placeholders of `types`) run as a prepared statement.

    Why: the nearby search's plan cost PostgreSQL ~0.5 ms a page (the geography index's
    selectivity estimates), three times its execution. A prepared statement's generic plan
    (PostgreSQL picks it after five executions when it costs no more than the custom ones; the
    same index scan, nearest first, checked with EXPLAIN) is planned once per session. Django
    binds values on the client, so the PREPARE is written out here and sent, the first time on
    a session, in the same round trip as its first EXECUTE (one query, as before). `sql` holds
    no `%` (the values go in the EXECUTE)."""
    with connection.cursor() as cursor:
        names = _PREPARED.setdefault(connection.connection, {})
        name = names.get(sql)
        args = ", ".join(["%s"] * len(params))
        if name is None:
            name = f"civic311_{next(_NAMES)}"
            cursor.execute(
                f"PREPARE {name} ({', '.join(types)}) AS {sql};\nEXECUTE {name} ({args})", params
            )
            cursor.nextset()
            names[sql] = name
        else:
            cursor.execute(f"EXECUTE {name} ({args})", params)
        return cursor.fetchall()
