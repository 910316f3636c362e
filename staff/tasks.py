"""Background work for the back office (django-q2 tasks: thin adapters over the library code)."""

from __future__ import annotations

from staff.queue_tally import tally_compact


def queue_tally_compact() -> int:
    """Fold the queue counters' tally (every 5 minutes, from setup_schedules): each write to a
    request appends a row or two, and folding keeps the rows the counters sum to a few per
    key. Safe to run twice or beside writers."""
    return tally_compact()
