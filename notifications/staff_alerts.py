"""Staff alerts: new work in my department, assigned to me, the resident replied, escalations,
and the department told when a closure survey says "not fixed".

Every staff alert goes through ``staff_alert``, which applies the member's StaffPreference for
that kind: off (nothing), immediately (an email now) or in a digest (an outbox row with
digest=True, sent in the member's next digest by ``staff_digests_send``).

Staff emails name the request, its category, address and department and link to the staff
page; they never carry the resident's name, email or phone (staff who may see them, see them
on the page)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from notifications.models import OutboxMessage, StaffPreference
from notifications.outbox import (
    address_opted_out_exists,
    dedupe_key_for,
    outbox_queue,
    outbox_queue_many,
)
from notifications.rendering import Rendered, absolute_url, message_render
from notifications.selectors import request_for_messages
from requests_app.configcache import config_snapshot
from requests_app.models import Priority, RequestEvent, Role, ServiceRequest, StaffProfile
from requests_app.prepared import prepared
from requests_app.rows import model_columns, row_convert
from requests_app.text import location_for_message

# Which preference decides each kind of alert.
KIND_PREFERENCE = {
    "new_request": "new_in_department",
    "assigned_to_me": "assigned_to_me",
    "resident_replied": "resident_replied",
    # A "not fixed" survey answer is the resident answering back about the work.
    "survey_not_fixed": "resident_replied",
    "escalation": "escalations",
}
# The order kinds appear in a digest.
DIGEST_ORDER = list(KIND_PREFERENCE)
KIND_LABELS = {
    "new_request": _("New in your department"),
    "assigned_to_me": _("Assigned to you"),
    "resident_replied": _("Residents replied"),
    "survey_not_fixed": _("Reopened after a survey said not fixed"),
    "escalation": _("Escalations"),
}
DIGEST_NOTE = "Delivered in digest #{id}."
DIGEST_TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
MAX_DIGEST_TIMES = 8

User = get_user_model()


# --- Preferences ----------------------------------------------------------------------------------


def staff_preference_get(*, user) -> StaffPreference:
    """The member's preferences, created with the defaults on first use."""
    preference, _created = StaffPreference.objects.get_or_create(user=user)
    return preference


def staff_preference_update(*, preference: StaffPreference, **fields) -> StaffPreference:
    """Save the fields the preference form validated."""
    allowed = {*set(KIND_PREFERENCE.values()), "digest_times", "language"}
    if not fields.get("digest_times", "x"):
        # Left empty while nothing goes to a digest: keep the old times for when one does.
        fields.pop("digest_times")
    for name, value in fields.items():
        if name not in allowed:
            raise ValueError(f"not a preference field: {name}")
        setattr(preference, name, value)
    preference.full_clean()
    preference.save(update_fields=sorted(fields))
    return preference


def digest_times_parse(value: str) -> list[time]:
    """ "08:00, 17:30" → [08:00, 17:30], sorted, without repeats. Raises ValueError on a bad
    entry (the form turns it into a message)."""
    times: set[time] = set()
    for part in re.split(r"[,\s]+", value.strip()):
        if not part:
            continue
        match = DIGEST_TIME_RE.match(part)
        if match is None:
            raise ValueError(part)
        times.add(time(int(match.group(1)), int(match.group(2))))
    return sorted(times)


def digest_times_format(times: list[time]) -> str:
    return ",".join(t.strftime("%H:%M") for t in times)


# --- The one way a staff alert is queued ----------------------------------------------------------


def staff_alert_context(*, request: ServiceRequest, event: RequestEvent | None) -> dict:
    """What staff templates may use. Deliberately no reporter fields."""
    return {
        "tracking_number": request.tracking_number,
        "category_name": request.category.tr("name"),
        "address": location_for_message(request.address),
        "department_name": request.department.tr("name") if request.department else "",
        "priority": request.get_priority_display(),
        "status": request.get_status_display(),
        "staff_url": absolute_url(reverse("staff:detail", args=[request.tracking_number])),
        "event_message": event.message if event is not None else "",
        "actor_label": event.actor_label if event is not None else "",
        "city_name": settings.CITY_NAME,
        "preferences_url": absolute_url(reverse("notifications:staff_preferences")),
    }


def staff_alert(
    *,
    user,
    kind: str,
    event: RequestEvent,
    request: ServiceRequest,
    subject: str = "",
    body_text: str = "",
    body_html: str = "",
) -> OutboxMessage | None:
    """Queue one alert to one member of staff, as their preference for this kind says.

    Without a body the default template ``staff_<kind>`` is rendered in the member's language.
    Idempotent per (event, kind, user): a re-delivered event queues nothing new. Returns the
    outbox row, or None when nothing was queued (preference off, no email, already queued)."""
    if kind not in KIND_PREFERENCE:
        raise ValueError(f"unknown staff alert kind: {kind}")
    if user is None or not user.is_active or not user.email:
        return None
    message = _staff_message(
        user=user,
        preference=staff_preference_get(user=user),
        kind=kind,
        event=event,
        request=request,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
    )
    return outbox_queue(**message) if message is not None else None


def staff_alerts_queue(
    *,
    users: QuerySet | list,
    kind: str,
    event: RequestEvent,
    request: ServiceRequest,
    batch: bool = False,
) -> list[OutboxMessage]:
    """``staff_alert`` for a whole list of members (a department told of new work): the
    members, their preferences and whether their address opted out of email in one read (was
    three), and the messages in one insert (``outbox_queue_many``). Returns the rows queued.
    ``users``: a queryset, or members read with both already (``department_members_read``)."""
    if kind not in KIND_PREFERENCE:
        raise ValueError(f"unknown staff alert kind: {kind}")
    if isinstance(users, QuerySet):
        users = users.select_related("notification_preference").annotate(
            email_opted_out=address_opted_out_exists(
                channel=OutboxMessage.Channel.EMAIL,
                address_column=f'"{User._meta.db_table}"."email"',
            )
        )
    users = [u for u in users if u.is_active and u.email]
    messages = []
    # The alert says the same to every member (no field of theirs): rendered once per language.
    rendered: dict[str, Rendered] = {}
    # One read of the config stamp for every member's template (a worker's task has one open).
    with config_snapshot():
        for user in users:
            preference = getattr(user, "notification_preference", None) or staff_preference_get(
                user=user
            )
            message = _staff_message(
                user=user,
                preference=preference,
                kind=kind,
                event=event,
                request=request,
                rendered=rendered,
            )
            if message is not None:
                messages.append({**message, "opted_out": user.email_opted_out})
    # ``batch``: in a dispatch, written with its other messages after its last event.
    return outbox_queue_many(messages=messages, batch=batch)


def _staff_message(
    *,
    user,
    preference: StaffPreference,
    kind: str,
    event: RequestEvent,
    request: ServiceRequest,
    subject: str = "",
    body_text: str = "",
    body_html: str = "",
    rendered: dict[str, Rendered] | None = None,
) -> dict | None:
    """The outbox_queue arguments of one staff alert as the member's preference says (None
    when it is off). ``rendered``: the alert as rendered already for other members of the same
    list, by language (filled in here)."""
    mode = getattr(preference, KIND_PREFERENCE[kind])
    if mode == StaffPreference.Mode.OFF:
        return None
    if not body_text:
        language = preference.language
        done = rendered.get(language) if rendered is not None else None
        if done is None:
            with translation.override(language):
                done = message_render(
                    kind=f"staff_{kind}",
                    channel="email",
                    language=language,
                    context=staff_alert_context(request=request, event=event),
                )
            if rendered is not None:
                rendered[language] = done
        subject, body_text, body_html = done.subject, done.text, done.html
    return {
        "channel": OutboxMessage.Channel.EMAIL,
        "recipient": user.email,
        "template": f"staff_{kind}",
        "language": preference.language,
        "subject": subject,
        "body_text": body_text,
        "body_html": body_html,
        "request": request,
        "event": event,
        "user": user,
        "digest": mode == StaffPreference.Mode.DIGEST,
        # Per kind and user (not per address): a member who is also the reporter still gets
        # both their resident update and their staff alert.
        "dedupe_key": f"event:{event.pk}:staff:{kind}:user:{user.pk}",
    }


# --- Who hears about what -------------------------------------------------------------------------


def _department_staff(*, department_id: int | None, roles: tuple[str, ...]) -> QuerySet:
    return (
        User.objects.filter(
            is_active=True,
            staff_profile__role__in=roles,
            staff_profile__departments=department_id,
        )
        .distinct()
        .order_by("pk")
    )


_MEMBERS: tuple | None = None


def department_members_read(*, department_id: int, exclude: int | None = None) -> list:
    """The department's active agents and supervisors (but ``exclude``) by id, each with their
    preference (``notification_preference``, None when they have none yet) and whether their
    address opted out of email (``email_opted_out``): what ``staff_alerts_queue`` reads from
    ``_department_staff`` with those two, from a statement written once per process (building
    the ORM's, with its joins and DISTINCT, cost about a millisecond of CPU per new request).
    The same joins, conditions and order; tested against the ORM's read."""
    global _MEMBERS
    if _MEMBERS is None:
        _MEMBERS = _department_members_statement()
    sql, parts = _MEMBERS
    params = [OutboxMessage.Channel.EMAIL, department_id, Role.AGENT, Role.SUPERVISOR]
    if exclude is not None:
        sql, params = sql.replace("%(exclude)s", 'AND u."id" <> %s'), [*params, exclude]
    else:
        sql = sql.replace("%(exclude)s", "")
    with connection.cursor() as cursor:
        prepared(cursor, [(sql, None, params)])
        rows = cursor.fetchall()
    members = []
    (_, user_columns, _, user_converters), (_, pref_columns, _, pref_converters) = parts
    user_names, pref_names = [f.attname for f in user_columns], [f.attname for f in pref_columns]
    for row in rows:
        user = User.from_db(
            connection.alias, user_names, row_convert(row[: len(user_columns)], user_converters)
        )
        values = row[len(user_columns) : -1]
        preference = None
        if values[0] is not None:
            preference = StaffPreference.from_db(
                connection.alias, pref_names, row_convert(values, pref_converters)
            )
            StaffPreference.user.field.set_cached_value(preference, user)
        StaffPreference.user.field.remote_field.set_cached_value(user, preference)
        user.email_opted_out = bool(row[-1])
        members.append(user)
    return members


def _department_members_statement() -> tuple[str, list]:
    users, prefs = User._meta.db_table, StaffPreference._meta.db_table
    profile = StaffProfile._meta
    departments = profile.get_field("departments").remote_field.through._meta.db_table
    parts = [
        (model, *model_columns(model, [f.attname for f in model._meta.concrete_fields], alias=a))
        for model, a in ((User, "u"), (StaffPreference, "pref"))
    ]
    opted_out = address_opted_out_exists(
        channel=OutboxMessage.Channel.EMAIL, address_column='u."email"'
    ).sql
    sql = (
        f"SELECT DISTINCT {parts[0][2]}, {parts[1][2]}, ({opted_out}) FROM {users} u "  # noqa: S608
        f"INNER JOIN {profile.db_table} sp ON (u.id = sp.user_id) "
        f"INNER JOIN {departments} spd ON (sp.id = spd.staffprofile_id) "
        f"LEFT OUTER JOIN {prefs} pref ON (u.id = pref.user_id) "
        "WHERE u.is_active AND spd.department_id = %s AND sp.role IN (%s, %s) %(exclude)s "
        'ORDER BY u."id" ASC'
    )
    return sql, parts


def staff_recipients_for_reply(*, request: ServiceRequest) -> list:
    """Who hears that the resident replied: the assignee, else the team, else the supervisors
    of the department."""
    if request.assignee_id and request.assignee.is_active:
        return [request.assignee]
    if request.team_id:
        members = list(request.team.members.filter(is_active=True).order_by("pk"))
        if members:
            return members
    return list(_department_staff(department_id=request.department_id, roles=(Role.SUPERVISOR,)))


def staff_recipients_for_survey(*, request: ServiceRequest) -> list:
    """Who hears of a "not fixed" survey: the department's supervisors and the assignee."""
    people = list(_department_staff(department_id=request.department_id, roles=(Role.SUPERVISOR,)))
    if request.assignee_id and request.assignee.is_active and request.assignee not in people:
        people.append(request.assignee)
    return people


def _fresh_request(request_id: int) -> ServiceRequest:
    # Shared with the resident messages of the same task while nothing in it writes.
    return request_for_messages(request_id=request_id)


def on_event(event: RequestEvent) -> None:
    """React to one request event (idempotent through staff_alert's dedupe key).

    ESCALATED events name whom to tell in their data; ``staff_alert_queue`` sends those
    through ``staff_alert`` with kind "escalation"."""
    if event.type == RequestEvent.Type.ROUTED:
        department_id = (event.data or {}).get("department_id")
        if not department_id:
            return
        request = _fresh_request(event.request_id)
        people = department_members_read(
            department_id=department_id, exclude=event.actor_id or None
        )
        staff_alerts_queue(
            users=people, kind="new_request", event=event, request=request, batch=True
        )
    elif event.type == RequestEvent.Type.ASSIGNED:
        assignee_id = (event.data or {}).get("assignee_id")
        if not assignee_id or assignee_id == event.actor_id:
            return
        user = User.objects.filter(pk=assignee_id).first()
        staff_alert(
            user=user, kind="assigned_to_me", event=event, request=_fresh_request(event.request_id)
        )
    elif event.type == RequestEvent.Type.RESIDENT_COMMENT:
        request = _fresh_request(event.request_id)
        for user in staff_recipients_for_reply(request=request):
            staff_alert(user=user, kind="resident_replied", event=event, request=request)
    elif event.type == RequestEvent.Type.ESCALATED:
        staff_alert_queue(event_id=event.pk)


# --- Escalations ----------------------------------------------------------------------------------


def _escalation_lines(data: dict) -> list[str]:
    """What happened, in the active language, from the event's structured data."""
    lines = []
    value = data.get("value") or 0
    if data.get("trigger") == "idle":
        lines.append(gettext("No staff action for %(hours)s hours.") % {"hours": f"{value:g}"})
    elif value >= 100 and data.get("target") == "response":
        lines.append(gettext("The target time for a first action has passed."))
    elif value >= 100:
        lines.append(gettext("The target time to resolve has passed."))
    elif data.get("target") == "response":
        lines.append(
            gettext("%(percent)s%% of the time for a first action has been used.")
            % {"percent": f"{value:g}"}
        )
    else:
        lines.append(
            gettext("%(percent)s%% of the time to resolve has been used.")
            % {"percent": f"{value:g}"}
        )
    priority = data.get("priority")
    if priority in Priority.values:
        lines.append(
            gettext("Priority raised to %(priority)s.") % {"priority": Priority(priority).label}
        )
    if data.get("team_name"):
        lines.append(gettext("Moved to the team %(team)s.") % {"team": data["team_name"]})
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
        for u in User.objects.filter(pk__in=user_ids, is_active=True).select_related(
            "staff_profile"
        )
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
        parts = _escalation_render(
            event=event, request=request, data=data, language=language
        ).outbox_fields()
        if user is not None:
            message = staff_alert(
                user=user, kind="escalation", event=event, request=request, **parts
            )
        else:
            message = outbox_queue(
                channel=OutboxMessage.Channel.EMAIL,
                recipient=address,
                template="staff_escalation",
                language=language,
                request=request,
                event=event,
                **parts,
            )
        if message is not None:
            queued.append(message)
    return queued


def _escalation_render(
    *, event: RequestEvent, request: ServiceRequest, data: dict, language: str
) -> Rendered:
    """The ``staff_escalation`` message (an admin's edit if there is one, else the default
    files) in the recipient's language, with due times in the city's zone (message_render)."""
    with translation.override(language):
        context = {
            **staff_alert_context(request=request, event=event),
            "lines": _escalation_lines(data),
            "step_name": data.get("step_name") or event.to_value,
            "why": gettext(_WHY[data["notify"]]) if data.get("notify") in _WHY else "",
            # Once someone has acted, the first-action target no longer matters.
            "response_due_at": None if request.acknowledged_at else request.response_due_at,
            "expected_at": request.expected_at,
        }
        return message_render(
            kind="staff_escalation", channel="email", language=language, context=context
        )


# --- Digests --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestSlot:
    at: datetime  # UTC
    local_date: date
    local_time: time


def digest_slot_latest(*, times: list[time], now: datetime) -> DigestSlot | None:
    """The most recent of the chosen city-local times at or before ``now`` (today's or
    yesterday's). Local times become UTC through the zone's rules for that very date, so an
    08:00 digest stays at 08:00 across daylight-saving changes."""
    zone = ZoneInfo(settings.CITY_TIME_ZONE)
    today = now.astimezone(zone).date()
    best: DigestSlot | None = None
    for day in (today - timedelta(days=1), today):
        for t in times:
            # Compare in UTC: aware datetimes sharing a tzinfo compare by wall time.
            at = datetime.combine(day, t, tzinfo=zone).astimezone(ZoneInfo("UTC"))
            if at <= now and (best is None or at > best.at):
                best = DigestSlot(at=at, local_date=day, local_time=t)
    return best


def _digest_groups(items: list[OutboxMessage]) -> list[dict]:
    by_kind: dict[str, list[dict]] = {}
    for item in items:
        kind = item.template.removeprefix("staff_")
        request = item.request
        by_kind.setdefault(kind, []).append(
            {
                "tracking_number": request.tracking_number if request else "",
                "category_name": request.category.tr("name") if request else "",
                "address": location_for_message(request.address) if request else "",
                "subject": item.subject,
                "staff_url": (
                    absolute_url(reverse("staff:detail", args=[request.tracking_number]))
                    if request
                    else ""
                ),
            }
        )
    order = {kind: n for n, kind in enumerate(DIGEST_ORDER)}
    return [
        {"kind": kind, "label": str(KIND_LABELS.get(kind, kind)), "items": by_kind[kind]}
        for kind in sorted(by_kind, key=lambda k: order.get(k, len(order)))
    ]


def staff_digest_send_one(*, user_id: int, now: datetime) -> OutboxMessage | None:
    """Send one member's digest if one of their times has come.

    1. Claim the member's StaffPreference row (FOR UPDATE SKIP LOCKED): a second run working at
       the same moment skips them rather than waiting and sending again.
    2. Find the latest digest time at or before now; do nothing unless it is later than the last
       digest and some waiting item was queued before it (items queued after a time wait for
       the next one, so a new member does not get a digest the minute they switch it on).
    3. Queue one email with every waiting item, grouped by kind; mark the items suppressed with
       "Delivered in digest #<id>." so the log shows where they went; record last_digest_at.
    All in one transaction: the digest, the items' marks and last_digest_at land together."""
    with transaction.atomic():
        preference = (
            StaffPreference.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(user_id=user_id)
            .first()
        )
        if preference is None:
            return None
        try:
            times = digest_times_parse(preference.digest_times)
        except ValueError:
            return None
        slot = digest_slot_latest(times=times, now=now)
        if slot is None:
            return None
        if preference.last_digest_at is not None and preference.last_digest_at >= slot.at:
            return None
        pending = OutboxMessage.objects.filter(
            user_id=user_id, digest=True, status=OutboxMessage.Status.QUEUED
        )
        if not pending.filter(created_at__lte=slot.at).exists():
            return None
        items = list(
            pending.filter(created_at__lte=now)
            .select_related("request__category")
            .order_by("created_at", "pk")
        )
        user = preference.user
        recipient = user.email or items[-1].recipient
        with translation.override(preference.language):
            groups = _digest_groups(items)
            rendered = message_render(
                kind="staff_digest",
                channel="email",
                language=preference.language,
                context={
                    "groups": groups,
                    "count": len(items),
                    "city_name": settings.CITY_NAME,
                    "preferences_url": absolute_url(reverse("notifications:staff_preferences")),
                    "slot_time": slot.local_time.strftime("%H:%M"),
                },
            )
        slot_key = f"{slot.local_date.isoformat()}T{slot.local_time.strftime('%H:%M')}"
        digest = outbox_queue(
            channel=OutboxMessage.Channel.EMAIL,
            recipient=recipient,
            template="staff_digest",
            language=preference.language,
            **rendered.outbox_fields(),
            user=user,
            dedupe_key=dedupe_key_for(
                event_id=None,
                channel=OutboxMessage.Channel.EMAIL,
                recipient=recipient,
                extra=f"digest:{user_id}:{slot_key}",
            ),
        )
        if digest is None:
            return None
        OutboxMessage.objects.filter(
            pk__in=[item.pk for item in items], status=OutboxMessage.Status.QUEUED
        ).update(
            status=OutboxMessage.Status.SUPPRESSED, last_error=DIGEST_NOTE.format(id=digest.pk)
        )
        preference.last_digest_at = now
        preference.save(update_fields=["last_digest_at"])
        return digest


def staff_digests_send(*, now: datetime | None = None) -> int:
    """Send every digest that is due (run every few minutes). Returns how many were queued.
    Safe to run twice at once: each member is claimed under a row lock."""
    now = now or timezone.now()
    user_ids = (
        OutboxMessage.objects.filter(
            digest=True, status=OutboxMessage.Status.QUEUED, user__isnull=False
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
    return sum(
        1
        for user_id in sorted(set(user_ids))
        if staff_digest_send_one(user_id=user_id, now=now) is not None
    )
