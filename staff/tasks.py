"""Background work for the back office (django-q2 tasks: thin adapters over the library code)."""

from __future__ import annotations

from staff.queue_tally import tally_compact, tally_vacuum


def queue_tally_compact() -> int:
    """Fold the queue counters' tally (every 5 minutes, from setup_schedules): each write to a
    request appends a row or two, and folding keeps the rows the counters sum to a few per
    key, then vacuums it (a fold leaves the table mostly dead rows). Safe to run twice or beside
    writers."""
    kept = tally_compact()
    tally_vacuum()
    return kept
