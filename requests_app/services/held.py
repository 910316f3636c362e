"""Held rows: a row the caller has locked in its open transaction, which the workflow services
given it change in place instead of locking and reading it again."""

from __future__ import annotations

from django.db import connection
from django.db.models import Exists, OuterRef

from requests_app.models import RequestEvent, ServiceRequest, Status


def request_lock_held(
    *, request_id: int, skip_locked: bool = False, waits: bool = False
) -> ServiceRequest | None:
    """Lock and load the whole row for the caller's transaction (None if it is gone, or locked
    elsewhere with ``skip_locked``), held: see ``request_mark_held``. ``waits``: also learn,
    in the same query, whether it ever waited on the resident (``never_waited``), so the due
    dates of a request that never did need no read of its pauses (``due.request_pauses``)."""
    rows = ServiceRequest.objects.select_for_update(skip_locked=skip_locked, of=("self",))
    if waits:
        rows = rows.annotate(
            never_waited=~Exists(
                RequestEvent.objects.filter(
                    request_id=OuterRef("pk"),
                    type=RequestEvent.Type.STATUS_CHANGED,
                    to_value=Status.WAITING_ON_RESIDENT,
                )
            )
        )
    request = rows.filter(pk=request_id).first()
    return request_mark_held(request=request) if request is not None else None


def request_mark_held(*, request: ServiceRequest) -> ServiceRequest:
    """Mark a row the caller has just locked (select_for_update) in its open transaction as held:
    the actions below, given this row in that transaction, neither lock nor load it again, they
    change this very object, and they write inside the caller's transaction (no savepoint of
    their own: a failure fails the caller's whole unit of work)."""
    # The atomic block open when it was locked: the row is held while that very block is open.
    blocks = connection.atomic_blocks
    request._held_by = (len(blocks) - 1, blocks[-1])
    return request


def request_is_held(request: ServiceRequest) -> bool:
    """Whether the row was held (request_mark_held) in an atomic block still open."""
    held = getattr(request, "_held_by", None)
    if held is None:
        return False
    depth, block = held
    blocks = connection.atomic_blocks
    return len(blocks) > depth and blocks[depth] is block
