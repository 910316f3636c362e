"""Reads for the development mailbox. It shows residents' addresses: staff only."""

from __future__ import annotations

from dataclasses import dataclass

from notifications.models import InboundMessage, OutboxMessage
from notifications.replyto import reply_address_make

MAILBOX_SIZE = 50


@dataclass
class MailboxEntry:
    message: OutboxMessage
    # Where a reply goes: the signed address for resident email about a request, the phone for
    # SMS, "" when the message cannot be answered (staff alerts, digests).
    reply_to: str


def dev_mailbox_list(*, recipient: str = "", channel: str = "") -> list[MailboxEntry]:
    """The latest outbox messages, newest first, optionally for one recipient or channel."""
    messages = OutboxMessage.objects.select_related("request").order_by("-created_at", "-id")
    if recipient:
        messages = messages.filter(recipient__icontains=recipient.strip())
    if channel in OutboxMessage.Channel.values:
        messages = messages.filter(channel=channel)
    entries = []
    for message in messages[:MAILBOX_SIZE]:
        reply_to = ""
        if message.channel == OutboxMessage.Channel.SMS:
            reply_to = message.recipient
        elif message.request_id and message.user_id is None:
            reply_to = reply_address_make(request_id=message.request_id)
        entries.append(MailboxEntry(message=message, reply_to=reply_to))
    return entries


def inbound_recent(*, sender: str = "", limit: int = 20) -> list[InboundMessage]:
    rows = InboundMessage.objects.select_related("request").order_by("-received_at", "-id")
    if sender:
        rows = rows.filter(sender__icontains=sender.strip())
    return list(rows[:limit])
