from __future__ import annotations

from notifications.services import message_send


def send_message(message_id: int) -> None:
    """Thin adapter: the service claims the row, so running this twice sends once."""
    message_send(message_id=message_id)
