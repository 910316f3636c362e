"""Queue resident messages. Sending (claim, transports, retries, resend) lives in
notifications.sending; its entry points are re-exported here for existing callers."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from notifications.models import OutboxMessage
from notifications.sending import (  # noqa: F401 - the public sending API, re-exported
    STALE_CLAIM,
    ResendError,
    message_resend,
    message_send,
    message_send_enqueue,
)
from requests_app.models import RequestEvent


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def confirmation_queue(*, event_id: int) -> OutboxMessage | None:
    """Queue the 'we received your report' email for a `created` event, in the resident's language.
    Idempotent: the dedupe key means a second call finds the row and queues nothing new."""
    event = RequestEvent.objects.select_related("request__category").get(pk=event_id)
    request = event.request
    if not request.reporter_email or request.anonymous:
        return None
    dedupe_key = f"event:{event.id}:email:{request.reporter_email.lower()}"
    with translation.override(request.language):
        context = {
            "request": request,
            "category_name": request.category.tr("name"),
            "tracker_url": _absolute(request.get_absolute_url()),
            "private_url": _absolute(reverse("requests_app:private", args=[request.private_token])),
            "city_name": settings.CITY_NAME,
        }
        subject = render_to_string("notifications/email/received_subject.txt", context).strip()
        body_text = render_to_string("notifications/email/received_body.txt", context)
        body_html = render_to_string("notifications/email/received_body.html", context)
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                request=request,
                event=event,
                channel=OutboxMessage.Channel.EMAIL,
                recipient=request.reporter_email,
                template="received",
                language=request.language,
                subject=subject,
                body_text=body_text,
                body_html=body_html,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        return None
    message_send_enqueue(message_id=message.id)
    return message
