"""Set-up shared by the messaging tests."""

from __future__ import annotations

import uuid

from notifications.models import OutboxMessage
from notifications.outbox import outbox_queue

# What a queued message is unless a test says otherwise: an English receipt emailed to Rosa.
RECEIPT = {
    "channel": "email",
    "recipient": "rosa@example.com",
    "template": "received",
    "language": "en",
    "body_text": "Thanks.",
}


def message_queue(**fields) -> OutboxMessage:
    """Queue a message through the outbox service, the way every producer does: the RECEIPT
    with the fields the test gives, and a dedupe key of its own unless given one."""
    fields.setdefault("dedupe_key", f"test:{uuid.uuid4()}")
    return outbox_queue(**(RECEIPT | fields))
