"""Queue and send resident and staff messages. The full machinery (SMS, preferences, retries with
backoff, staff digests) builds on this outbox."""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from notifications.models import OutboxMessage
from requests_app.models import Priority, RequestEvent

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
# A claim older than this is from a worker that died mid-send; the row may be claimed again.
STALE_CLAIM = timedelta(minutes=10)


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


# --- Staff alerts (escalations) ------------------------------------------------------------------


def _staff_language(user) -> str:
    """The staff member's language when the profile records one, else English."""
    profile = getattr(user, "staff_profile", None)
    language = getattr(profile, "language", "") or "en"
    return language if language in dict(settings.LANGUAGES) else "en"


def _escalation_lines(data: dict) -> list[str]:
    """What happened, in the active language, from the event's structured data."""
    lines = []
    value = data.get("value") or 0
    if data.get("trigger") == "idle":
        lines.append(_("No staff action for %(hours)s hours.") % {"hours": f"{value:g}"})
    elif value >= 100 and data.get("target") == "response":
        lines.append(_("The target time for a first action has passed."))
    elif value >= 100:
        lines.append(_("The target time to resolve has passed."))
    elif data.get("target") == "response":
        lines.append(
            _("%(percent)s%% of the time for a first action has been used.")
            % {"percent": f"{value:g}"}
        )
    else:
        lines.append(
            _("%(percent)s%% of the time to resolve has been used.") % {"percent": f"{value:g}"}
        )
    priority = data.get("priority")
    if priority in Priority.values:
        lines.append(_("Priority raised to %(priority)s.") % {"priority": Priority(priority).label})
    if data.get("team_name"):
        lines.append(_("Moved to the team %(team)s.") % {"team": data["team_name"]})
    return lines


_WHY = {
    "assignee": gettext_noop(
        "You are receiving this because the request is assigned to you or your team."
    ),
    "supervisors": gettext_noop(
        "You are receiving this as a supervisor of the request's department."
    ),
    "department_head": gettext_noop(
        "You are receiving this as the head of the request's department."
    ),
}


def staff_alert_queue(*, event_id: int) -> list[OutboxMessage]:
    """Queue one email per person an ``escalated`` event lists (``data["recipients"]``: user ids,
    or a department's address), each in the recipient's language. Idempotent: the dedupe key
    (event, address) means a re-delivered event queues nothing new. Returns the new messages."""
    event = (
        RequestEvent.objects.select_related("request__category", "request__department")
        .filter(pk=event_id, type=RequestEvent.Type.ESCALATED)
        .first()
    )
    if event is None:
        return []
    request = event.request
    data = event.data or {}
    recipients = data.get("recipients") or []
    user_ids = [r["user_id"] for r in recipients if r.get("user_id")]
    users = {
        u.pk: u
        for u in get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .select_related("staff_profile")
    }
    addresses: dict[str, str] = {}  # email -> language
    for r in recipients:
        user = users.get(r.get("user_id"))
        if user is not None and user.email:
            addresses.setdefault(user.email, _staff_language(user))
        elif r.get("email"):
            addresses.setdefault(r["email"], "en")
    queued = []
    city_zone = ZoneInfo(settings.CITY_TIME_ZONE)
    for address, language in addresses.items():
        dedupe_key = f"event:{event.id}:email:{address.lower()}"
        with translation.override(language), timezone.override(city_zone):
            context = {
                "request": request,
                "category_name": request.category.tr("name"),
                "department_name": request.department.tr("name") if request.department else "",
                "lines": _escalation_lines(data),
                "step_name": data.get("step_name") or event.to_value,
                "why": _(_WHY[data["notify"]]) if data.get("notify") in _WHY else "",
                "staff_url": _absolute(reverse("staff:detail", args=[request.tracking_number])),
                "city_name": settings.CITY_NAME,
            }
            subject = render_to_string("notifications/email/escalation_subject.txt", context)
            body_text = render_to_string("notifications/email/escalation_body.txt", context)
            body_html = render_to_string("notifications/email/escalation_body.html", context)
        try:
            with transaction.atomic():
                message = OutboxMessage.objects.create(
                    request=request,
                    event=event,
                    channel=OutboxMessage.Channel.EMAIL,
                    recipient=address,
                    template="escalation",
                    language=language,
                    subject=" ".join(subject.split())[:200],
                    body_text=body_text,
                    body_html=body_html,
                    dedupe_key=dedupe_key,
                )
        except IntegrityError:
            continue
        message_send_enqueue(message_id=message.id)
        queued.append(message)
    return queued


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
