from __future__ import annotations

from notifications.services import message_send


def send_message(message_id: int) -> None:
    """Thin adapter: the service claims the row, so running this twice sends once."""
    message_send(message_id=message_id)


# --- Staff digests (scheduled every 5 minutes by setup_schedules) ---------------------------------


def staff_digests_send() -> int:
    """Thin adapter: the service claims each member under a row lock, so overlapping runs send
    each digest once."""
    from notifications.staff import staff_digests_send as send

    return send()
