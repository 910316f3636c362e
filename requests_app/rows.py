"""Model rows read with a plain cursor, for hot pages whose simple reads cost more to build
through the ORM than to run (about 0.4-1 ms of query compilation each). A statement is written
once per process from the model's own columns; each row goes through the converters the ORM
would run (JSON, geometry, phone numbers) and becomes the model with `from_db`, so the objects
are the ones a queryset with `only()` gives, the same fields deferred."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection


def model_columns(model, attnames: Iterable[str], *, alias: str) -> tuple[list, str, list]:
    """The model's columns among `attnames` (and its pk) in the model's field order (from_db
    takes them so), their SELECT list qualified by `alias`, and (position, column, converters)
    for each column the ORM would convert."""
    wanted = set(attnames) | {model._meta.pk.attname}
    columns = [f for f in model._meta.concrete_fields if f.attname in wanted]
    select = ", ".join(f'"{alias}"."{f.column}"' for f in columns)
    converters = []
    for i, f in enumerate(columns):
        col = f.get_col(alias)
        found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if found:
            converters.append((i, col, found))
    return columns, select, converters


def row_convert(row: Sequence, converters: list, offset: int = 0) -> Sequence:
    """`row` with the ORM's converters applied to the columns `model_columns` named (starting
    at `offset` in a row that holds more than one model's columns)."""
    if not converters:
        return row
    row = list(row)
    for i, col, found in converters:
        value = row[offset + i]
        for convert in found:
            value = convert(value, col, connection)
        row[offset + i] = value
    return row
