"""The one way a message enters the outbox. Every producer (resident updates, followers, staff
alerts, digests, surveys) calls ``outbox_queue``; the sending machinery (notifications.sending)
takes it from there."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from notifications.models import ContactPreference, OutboxMessage


def dedupe_key_for(*, event_id: int | None, channel: str, recipient: str, extra: str = "") -> str:
    """(event, recipient, channel) identifies a message: the same event never reaches the same
    person twice on the same channel. ``extra`` separates messages not tied to one event."""
    who = recipient.strip().lower()
    base = f"event:{event_id}" if event_id is not None else f"x:{extra}"
    return f"{base}:{channel}:{who}"[:200]


def address_opted_out(*, channel: str, address: str) -> bool:
    return ContactPreference.objects.filter(
        channel=channel, address=address.strip().lower(), opted_out=True
    ).exists()


def outbox_queue(
    *,
    channel: str,
    recipient: str,
    template: str,
    language: str,
    body_text: str,
    subject: str = "",
    body_html: str = "",
    request=None,
    event=None,
    user=None,
    subscription=None,
    digest: bool = False,
    dedupe_key: str = "",
) -> OutboxMessage | None:
    """Add one message to the outbox and hand it to a worker after commit.

    Idempotent: a second call with the same dedupe key adds nothing and returns None. A recipient
    who opted out of the channel gets a row marked suppressed (visible to staff), never a send."""
    key = dedupe_key or dedupe_key_for(
        event_id=event.pk if event is not None else None, channel=channel, recipient=recipient
    )
    suppressed = address_opted_out(channel=channel, address=recipient)
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                request=request,
                event=event,
                channel=channel,
                recipient=recipient,
                template=template,
                language=language,
                subject=subject[:200],
                body_text=body_text,
                body_html=body_html,
                user=user,
                subscription=subscription,
                digest=digest,
                dedupe_key=key,
                status=(
                    OutboxMessage.Status.SUPPRESSED if suppressed else OutboxMessage.Status.QUEUED
                ),
                last_error="Recipient opted out of this channel." if suppressed else "",
            )
    except IntegrityError:
        return None
    if not suppressed and not digest:
        from notifications.services import message_send_enqueue

        message_send_enqueue(message_id=message.id)
    return message
