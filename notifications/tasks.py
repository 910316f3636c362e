"""django-q2 tasks for messaging: thin adapters taking ids. The services claim their rows, so a
re-delivered task (the ORM broker re-delivers a crashed worker's task) does nothing twice."""

from __future__ import annotations

from notifications.sending import message_send, outbox_retry_sweep
from notifications.staff_alerts import staff_digests_send as digests_send
from notifications.surveys import surveys_due_send


def send_message(message_id: int) -> None:
    message_send(message_id=message_id)


def outbox_sweep() -> int:
    """Every minute (setup_schedules): retries whose backoff has passed, abandoned claims."""
    return outbox_retry_sweep()


# --- Staff digests (scheduled every 5 minutes by setup_schedules) ---------------------------------


def staff_digests_send() -> int:
    """Thin adapter: the service claims each member under a row lock, so overlapping runs send
    each digest once."""
    return digests_send()


def surveys_send() -> int:
    """Every minute (setup_schedules): closure surveys whose delay has passed (issue 12)."""
    return surveys_due_send()
