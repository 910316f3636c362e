"""Send outbox rows: claim, send, record — and retry, give up, or resend.

The life of a row::

    queued ──claim──▶ sending ──▶ sent
      ▲                  │ ├────▶ failed (permanent answer, or transient after max_attempts)
      └── backoff ◀──────┘ └────▶ suppressed (the recipient opted out after it was queued)

Crash safety. The claim (a conditional UPDATE queued → sending) and the record of the outcome
are separate transactions, with the provider call between them. A worker killed in between leaves
the row "sending"; nothing sends it until its claim is STALE_CLAIM old, then the sweep takes it
again. So a message is never lost, and a second worker (or a re-delivered task) never sends a row
someone else holds. The one window left is the crash *after* the provider accepted the message
and *before* the record: that message goes out a second time after STALE_CLAIM (at-least-once).
Email carries a Message-ID derived from the outbox id so the copy is recognisable; Twilio has no
idempotency key, so an SMS can be duplicated in that window."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from notifications.models import MessagingSettings, OutboxMessage, RequestSubscription
from notifications.outbox import (
    SEND_TASK_TIMEOUT,
    address_opted_out,
    contact_preference_set,
    message_send_enqueue,
)
from notifications.subscriptions import reporter_contact_unconfirmed
from notifications.transports import PermanentSendError, TransientSendError, transport_for

logger = logging.getLogger(__name__)

# Longer than any send can take (the task timeout is SEND_TASK_TIMEOUT): a claim this old is
# from a worker that died, and the row may be claimed again.
STALE_CLAIM = timedelta(minutes=10)
# Wait before retry n (1-based); the last value repeats.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
SWEEP_BATCH = 200
# Fresh rows are enqueued on commit; the sweep only picks up those whose task never ran.
SWEEP_GRACE = timedelta(minutes=2)

OPTED_OUT = "Recipient opted out of this channel."
UNSUBSCRIBED = "Recipient unsubscribed from this request."
UNCONFIRMED = "The reporter's contact was still unconfirmed when this update was due."
# Held updates queued before anyone could confirm the contact (notifications.resident's
# ROUTED_QUIET): whether it is confirmed is asked when they are due.
HELD_UNTIL_CONFIRMED = frozenset({"routed"})
CRASHED_LAST_ATTEMPT = "The worker stopped during the last attempt; the outcome is unknown."
# Shown to staff (translated where shown); the rest are log texts for the admin's outbox list.
RESEND_NOT_FAILED = gettext_noop("Only failed or suppressed messages can be sent again.")
RESEND_OPTED_OUT = gettext_noop("The recipient opted out or unsubscribed; it cannot be sent again.")


class ResendError(Exception):
    pass


def backoff_for(*, attempts: int) -> timedelta:
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def message_claim(*, message_id: int, now: datetime, max_attempts: int) -> bool:
    """Take the row for this worker: a queued row that is due, or a claim abandoned by a dead
    worker. The conditional UPDATE is the lock: exactly one worker sees a row count of 1.
    Each claim counts as an attempt, so a message that kills its worker still runs out."""
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimable = Q(status=OutboxMessage.Status.QUEUED, digest=False) & due
    stale = Q(status=OutboxMessage.Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
    return bool(
        OutboxMessage.objects.filter(
            claimable | stale, pk=message_id, attempts__lt=max_attempts
        ).update(status=OutboxMessage.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def _suppression_reason(message: OutboxMessage) -> str:
    # A STOP or an unsubscribe may arrive after the row was queued: check again now.
    if address_opted_out(channel=message.channel, address=message.recipient):
        return OPTED_OUT
    subscription = message.subscription
    if subscription is not None and subscription.unsubscribed_at is not None:
        return UNSUBSCRIBED
    if (
        message.template in HELD_UNTIL_CONFIRMED
        and subscription is not None
        and subscription.role == RequestSubscription.Role.REPORTER
        and message.request is not None
        and reporter_contact_unconfirmed(
            request=message.request, channel=subscription.channel, address=subscription.address
        )
    ):
        return UNCONFIRMED
    return ""


def _record(message: OutboxMessage, claimed_at: datetime, **fields) -> bool:
    """Write the outcome only if our claim still stands (a worker presumed dead that comes back
    must not overwrite the outcome of the worker that took over)."""
    updated = OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxMessage.Status.SENDING, claimed_at=claimed_at
    ).update(**fields)
    if not updated:
        logger.warning(
            "outbox %s: claim was taken over; outcome %s not recorded", message.pk, fields
        )
    return bool(updated)


def message_send(*, message_id: int) -> bool:
    """Claim one outbox row, send it through its channel's transport, record the outcome.

    Returns True if this call sent it. Never raises for a failed send: the row records it (the
    task runner would swallow the error anyway). Only a crash (BaseException) escapes, leaving
    the row "sending" for the sweep."""
    now = timezone.now()
    max_attempts = MessagingSettings.load().max_attempts
    if not message_claim(message_id=message_id, now=now, max_attempts=max_attempts):
        return False
    message = OutboxMessage.objects.select_related("subscription").get(pk=message_id)

    if reason := _suppression_reason(message):
        _record(message, now, status=OutboxMessage.Status.SUPPRESSED, last_error=reason)
        return False
    try:
        provider_id = transport_for(message.channel).send(message)
    except PermanentSendError as exc:
        logger.warning("outbox %s failed permanently: %s", message_id, exc)
        with transaction.atomic():
            recorded = _record(
                message,
                now,
                status=OutboxMessage.Status.FAILED,
                permanent_failure=True,
                last_error=str(exc)[:2000],
                next_attempt_at=None,
            )
            if recorded and exc.opt_out:
                contact_preference_set(
                    channel=message.channel,
                    address=message.recipient,
                    opted_out=True,
                    source="provider",
                    request_id=message.request_id,
                )
        return False
    except Exception as exc:
        # TransientSendError, or a bug in a transport: both deserve another try, within limits.
        if not isinstance(exc, TransientSendError):
            logger.exception("outbox %s: unexpected error in the transport", message_id)
        give_up = message.attempts >= max_attempts
        _record(
            message,
            now,
            status=OutboxMessage.Status.FAILED if give_up else OutboxMessage.Status.QUEUED,
            last_error=str(exc)[:2000] or type(exc).__name__,
            next_attempt_at=None if give_up else now + backoff_for(attempts=message.attempts),
        )
        return False
    _record(
        message,
        now,
        status=OutboxMessage.Status.SENT,
        provider_message_id=provider_id[:120],
        sent_at=timezone.now(),
        last_error="",
        next_attempt_at=None,
    )
    return True


def outbox_retry_sweep(*, limit: int = SWEEP_BATCH) -> int:
    """Hand due work to the senders: queued rows whose backoff has passed (or whose send task was
    lost), and claims abandoned by dead workers. Rows out of attempts are marked failed.
    Returns how many send tasks were enqueued."""
    from django_q.tasks import async_task

    now = timezone.now()
    max_attempts = MessagingSettings.load().max_attempts
    stale = Q(status=OutboxMessage.Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
    OutboxMessage.objects.filter(stale, attempts__gte=max_attempts).update(
        status=OutboxMessage.Status.FAILED, last_error=CRASHED_LAST_ATTEMPT
    )
    due = Q(status=OutboxMessage.Status.QUEUED, digest=False) & (
        Q(next_attempt_at__lte=now)
        | Q(next_attempt_at__isnull=True, created_at__lt=now - SWEEP_GRACE)
    )
    ids = list(
        OutboxMessage.objects.filter(due | stale, attempts__lt=max_attempts)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for message_id in ids:
        async_task("notifications.tasks.send_message", message_id, timeout=SEND_TASK_TIMEOUT)
    return len(ids)


def message_resend(*, message_id: int, actor) -> OutboxMessage:
    """Staff ask for a failed (or suppressed) message to go again: a fresh set of attempts.

    Refused while the recipient is opted out of the channel: they said no, and their no wins."""
    message = OutboxMessage.objects.select_related("subscription").filter(pk=message_id).first()
    if message is None or message.status not in (
        OutboxMessage.Status.FAILED,
        OutboxMessage.Status.SUPPRESSED,
    ):
        raise ResendError(RESEND_NOT_FAILED)
    if _suppression_reason(message):
        raise ResendError(RESEND_OPTED_OUT)
    with transaction.atomic():
        updated = OutboxMessage.objects.filter(
            pk=message_id,
            status__in=[OutboxMessage.Status.FAILED, OutboxMessage.Status.SUPPRESSED],
        ).update(
            status=OutboxMessage.Status.QUEUED,
            attempts=0,
            last_error="",
            permanent_failure=False,
            next_attempt_at=None,
            claimed_at=None,
        )
        if not updated:
            raise ResendError(RESEND_NOT_FAILED)
        message_send_enqueue(message_id=message_id)
    logger.info("outbox %s resent by %s", message_id, getattr(actor, "pk", actor))
    message.refresh_from_db()
    return message
