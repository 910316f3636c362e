"""Escalation alerts to staff: one per person an ``escalated`` event names, once, with what they
need to act (tracking number, category, place, due time in city time, a link to the staff page)
and nothing about the resident."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from notifications.models import OutboxMessage
from notifications.outbox import outbox_queue
from notifications.rendering import absolute_url
from notifications.staff import staff_alert, staff_preference_get
from requests_app.models import Priority, RequestEvent


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
    """Queue the alerts an ``escalated`` event asks for (``data["recipients"]``: user ids, or a
    department's address). Staff members get it through ``staff_alert`` (their preference:
    immediately, in a digest, or not at all, in their language); a department address gets it at
    once in English. Idempotent through the outbox dedupe keys. Returns the new messages."""
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
    queued: list[OutboxMessage] = []
    seen: set[str] = set()
    for r in recipients:
        user = users.get(r.get("user_id"))
        address = user.email if user is not None else (r.get("email") or "")
        if not address or address.lower() in seen:
            continue
        seen.add(address.lower())
        language = staff_preference_get(user=user).language if user is not None else "en"
        subject, body_text, body_html = _escalation_render(
            event=event, request=request, data=data, language=language
        )
        if user is not None:
            message = staff_alert(
                user=user,
                kind="escalation",
                event=event,
                request=request,
                subject=subject,
                body_text=body_text,
                body_html=body_html,
            )
        else:
            message = outbox_queue(
                channel=OutboxMessage.Channel.EMAIL,
                recipient=address,
                template="staff_escalation",
                language=language,
                subject=subject,
                body_text=body_text,
                body_html=body_html,
                request=request,
                event=event,
            )
        if message is not None:
            queued.append(message)
    return queued


def _escalation_render(
    *, event: RequestEvent, request, data: dict, language: str
) -> tuple[str, str, str]:
    with translation.override(language), timezone.override(ZoneInfo(settings.CITY_TIME_ZONE)):
        context = {
            "request": request,
            "category_name": request.category.tr("name"),
            "department_name": request.department.tr("name") if request.department else "",
            "lines": _escalation_lines(data),
            "step_name": data.get("step_name") or event.to_value,
            "why": _(_WHY[data["notify"]]) if data.get("notify") in _WHY else "",
            "staff_url": absolute_url(reverse("staff:detail", args=[request.tracking_number])),
            "city_name": settings.CITY_NAME,
        }
        subject = render_to_string("notifications/email/escalation_subject.txt", context)
        body_text = render_to_string("notifications/email/escalation_body.txt", context)
        body_html = render_to_string("notifications/email/escalation_body.html", context)
    return " ".join(subject.split())[:200], body_text, body_html
