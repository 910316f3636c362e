"""Queue resident messages. Sending (claim, transports, retries, resend) lives in
notifications.sending and is re-exported here for existing callers; the per-event resident
messages live in notifications.resident."""

from __future__ import annotations

from notifications.models import OutboxMessage
from notifications.sending import (  # noqa: F401 - the public sending API, re-exported
    STALE_CLAIM,
    ResendError,
    message_resend,
    message_send,
    message_send_enqueue,
)
from requests_app.models import RequestEvent


def confirmation_queue(*, event_id: int) -> OutboxMessage | None:
    """Queue the 'we received your report' message for a `created` event: to the reporter, on
    the channel they chose, in their language (notifications.resident does the work).
    Idempotent: the outbox dedupe key means a second call queues nothing and returns None."""
    from notifications.resident import event_messages_queue

    event = RequestEvent.objects.get(pk=event_id)
    if event.type != RequestEvent.Type.CREATED:
        return None
    queued = event_messages_queue(event=event)
    return queued[0] if queued else None


def staff_alert_queue(*, event_id: int):
    """Escalation alerts for an ``escalated`` event (notifications.escalation_alerts)."""
    from notifications.escalation_alerts import staff_alert_queue as queue

    return queue(event_id=event_id)
