from __future__ import annotations

import logging

from requests_app.configcache import config_snapshot
from requests_app.dispatch import handlers

logger = logging.getLogger(__name__)


def event_dispatch(event_id: int) -> None:
    """Run every registered handler for one event. Handlers are idempotent, so a re-delivered task
    is harmless; one failing handler does not stop the others, and the failure is re-raised so the
    task is retried."""
    failures = []
    # One read of the config stamp for every handler (requests_app.configcache).
    with config_snapshot():
        for name, handler in handlers():
            try:
                handler(event_id)
            except Exception as exc:
                logger.exception("event handler %s failed for event %s", name, event_id)
                failures.append((name, exc))
    if failures:
        raise RuntimeError(f"handlers failed for event {event_id}: {[n for n, _ in failures]}")


def staged_photos_purge() -> int:
    from requests_app.services import photos_purge_abandoned

    return photos_purge_abandoned()


def intake_attempts_forget() -> int:
    from requests_app.services import intake_attempts_purge

    return intake_attempts_purge()
