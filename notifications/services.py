"""Queue and send resident messages. The full machinery (SMS, preferences, retries with backoff,
staff digests) builds on this outbox."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from notifications.models import OutboxMessage
from requests_app.models import RequestEvent

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
# A claim older than this is from a worker that died mid-send; the row may be claimed again.
STALE_CLAIM = timedelta(minutes=10)


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


def message_send_enqueue(*, message_id: int) -> None:
    def enqueue() -> None:
        from django_q.tasks import async_task

        async_task("notifications.tasks.send_message", message_id, timeout=30)

    transaction.on_commit(enqueue)


def message_send(*, message_id: int) -> bool:
    """Claim one queued message with a conditional UPDATE, send it, record the outcome.

    Returns True if this call sent it. A row another worker holds (or already sent) is left
    alone; a claim abandoned by a dead worker can be taken again after STALE_CLAIM."""
    now = timezone.now()
    claimed = (
        OutboxMessage.objects.filter(pk=message_id, attempts__lt=MAX_ATTEMPTS)
        .filter(
            status=OutboxMessage.Status.QUEUED,
        )
        .update(status=OutboxMessage.Status.SENDING, claimed_at=now)
    ) or (
        OutboxMessage.objects.filter(
            pk=message_id,
            status=OutboxMessage.Status.SENDING,
            claimed_at__lt=now - STALE_CLAIM,
            attempts__lt=MAX_ATTEMPTS,
        ).update(claimed_at=now)
    )
    if not claimed:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    try:
        email.send()
    except Exception as exc:
        logger.warning("sending message %s failed: %s", message_id, exc)
        attempts = message.attempts + 1
        OutboxMessage.objects.filter(pk=message_id).update(
            status=(
                OutboxMessage.Status.FAILED
                if attempts >= MAX_ATTEMPTS
                else OutboxMessage.Status.QUEUED
            ),
            attempts=attempts,
            last_error=str(exc)[:2000],
        )
        raise
    OutboxMessage.objects.filter(pk=message_id).update(
        status=OutboxMessage.Status.SENT, attempts=message.attempts + 1, sent_at=timezone.now()
    )
    return True
