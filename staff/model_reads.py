"""Rows without the ORM's query building, for the staff request page's reads.

The page's reads are simple (one table, a filter on the request, an order), but building each
through the ORM cost more CPU than running it (about 0.4 ms of compilation a query). These
write the statement once per process from the model's own columns and turn each row into the
model with from_db, after the same converters the ORM applies (JSON, geometry): the objects
are the ones the querysets gave, with the same fields deferred."""

from __future__ import annotations

from django.db import connection

from requests_app.models import ServiceRequest
from requests_app.prepared import prepared
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
