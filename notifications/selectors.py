"""Reads for messaging: closure surveys (one by its link, and the results that feed reporting) and
the development mailbox (which shows residents' addresses: staff only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Avg, Count, Q, QuerySet

from notifications.kinds import language_label, message_kind_label
from notifications.models import InboundMessage, OutboxMessage, Survey
from notifications.replyto import reply_address_make
from requests_app.dispatch import dispatch_shared, request_shared
from requests_app.models import Department, ServiceRequest

# --- The request a message is about ---------------------------------------------------------------


def request_for_messages(*, request_id: int) -> ServiceRequest:
    """The request with what the resident messages and the staff alerts show, loaded once per
    worker task for both (the receipt and the department's alerts of a new report) while nothing
    in the task writes (``dispatch_shared``). Read-only: nothing here changes it."""

    def load() -> ServiceRequest:
        # The row routing has just written in this task, if nothing has written since (a new
        # request: its closure reason, duplicate and assignee are empty, so nothing more is
        # read for them); else read with everything the messages show.
        shared = request_shared(request_id)
        if shared is not None:
            return shared
        return ServiceRequest.objects.select_related(
            "category", "department", "closure_reason", "duplicate_of", "assignee", "team"
        ).get(pk=request_id)

    return dispatch_shared(("notifications.request", request_id), load)


# --- Closure surveys ------------------------------------------------------------------------------


def survey_by_token(*, token: str) -> Survey | None:
    return (
        Survey.objects.select_related("request__category").filter(token=token).first()
        if token
        else None
    )


def _summary(rows: QuerySet) -> dict:
    totals = rows.aggregate(
        sent=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        fixed=Count("pk", filter=Q(answered_at__isnull=False, fixed=True)),
        mean=Avg("satisfaction", filter=Q(answered_at__isnull=False)),
    )
    return _shape(totals)


def _shape(totals: dict) -> dict:
    answered = totals["answered"] or 0
    return {
        "sent": totals["sent"] or 0,
        "answered": answered,
        "fixed": totals["fixed"] or 0,
        "fixed_pct": round(100 * totals["fixed"] / answered, 1) if answered else None,
        "mean_satisfaction": round(totals["mean"], 2) if totals["mean"] is not None else None,
    }


def survey_results(*, since: datetime | None = None, department: Department | None = None) -> dict:
    """Closure survey results for reporting: surveys sent and answered, the share that said
    fixed and the mean satisfaction (1-5), overall and by department and by category (the
    request's department and category now). ``since`` counts surveys sent from then on."""
    rows = Survey.objects.all()
    if since is not None:
        rows = rows.filter(sent_at__gte=since)
    if department is not None:
        rows = rows.filter(request__department=department)

    def grouped(key: str) -> list[dict]:
        fields = (f"request__{key}_id", f"request__{key}__name")
        out = []
        for row in (
            rows.values(*fields)
            .annotate(
                sent=Count("pk"),
                answered=Count("pk", filter=Q(answered_at__isnull=False)),
                fixed=Count("pk", filter=Q(answered_at__isnull=False, fixed=True)),
                mean=Avg("satisfaction", filter=Q(answered_at__isnull=False)),
            )
            .order_by(*fields)
        ):
            out.append({f"{key}_id": row[fields[0]], key: row[fields[1]], **_shape(row)})
        return out

    return {
        **_summary(rows),
        "by_department": grouped("department"),
        "by_category": grouped("category"),
    }


# --- Development mailbox --------------------------------------------------------------------------


MAILBOX_SIZE = 50


@dataclass
class MailboxEntry:
    message: OutboxMessage
    # Where a reply goes: the signed address for resident email about a request, the phone for
    # SMS, "" when the message cannot be answered (staff alerts, digests).
    reply_to: str

    @property
    def about(self) -> str:
        """What the message is about and its language, in words ("Routed · Spanish")."""
        m = self.message
        return f"{message_kind_label(m.template)} · {language_label(m.language)}"


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
