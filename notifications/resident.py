"""Messages to residents and followers: one message per public step of a request, to everyone
subscribed to it, each on their channel and in their language.

Which events message whom (public events only; internal ones never reach residents):

=======================  =================  ============================================
event                    kind               recipients
=======================  =================  ============================================
created                  received           the reporter
supporter added          received           the new supporter only
routed                   routed             everyone subscribed (the automatic routing
                                            right after intake: held, see below)
status → in progress     in_progress        everyone (right after an on-site attempt,
                                            that message says work has started instead)
status → waiting on      waiting_on_        the reporter (only they can answer)
resident                 resident
on-site attempt          onsite_attempt     everyone
public staff comment     comment            everyone
status → resolved /      resolved           everyone, with the closure reason in their
referred / not                              language and links to evidence photos
actionable
status → reopened        reopened           everyone
status → closed as       merged             everyone, with the other request's number
duplicate
=======================  =================  ============================================

The automatic routing right after intake is messaged ROUTED_QUIET after it (issue 12: README
promised it, and nobody got it): not two messages within a second of filing, and time for a
resident to follow the receipt's link first. Its rows are queued without asking anything (even
while the reporter's contact is unconfirmed or the address has opted out) and checked when due
(notifications.sending): opted out, unsubscribed or still unconfirmed, suppressed. So it is
written as to a confirmed contact, and it goes to the subscribers the receipt's read found in the
same task (requests_app.dispatch.dispatch_keep).

Every message goes through ``notifications.outbox.outbox_queue``, so a re-delivered event never
sends twice and opted-out addresses get suppressed rows."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from notifications.models import Channel, OutboxMessage, RequestSubscription
from notifications.outbox import (
    ChecksAsked,
    OutboxChecks,
    dedupe_key_for,
    outbox_checks,
    outbox_checks_ask,
    outbox_queue,
)
from notifications.rendering import absolute_url, message_render
from notifications.selectors import request_for_messages
from notifications.sms import is_gsm7, segments
from notifications.sms import sms_fit as fit
from notifications.subscriptions import (
    follower_subscribe,
    reporter_contact_pairs,
    reporter_contact_unconfirmed,
    reporter_subscriptions_read,
    subscriptions_carry_to_original,
    supporter_subscriptions_ensure,
)
from requests_app.dispatch import dispatch_drop, dispatch_keep, dispatch_kept
from requests_app.models import (
    ClosureReason,
    IntakeSettings,
    Photo,
    RequestEvent,
    ServiceRequest,
    Status,
    Supporter,
)
from requests_app.services import contact_confirm_code
from requests_app.text import location_for_message
from requests_app.when import when_date

Role = RequestSubscription.Role
Type = RequestEvent.Type

KINDS = [
    "received",
    "routed",
    "in_progress",
    "waiting_on_resident",
    "onsite_attempt",
    "comment",
    "resolved",
    "reopened",
    "merged",
    "follow_confirm",
]
CLOSING = frozenset({Status.RESOLVED, Status.REFERRED, Status.NOT_ACTIONABLE})
# An on-site attempt moves a queued request to in progress a moment later, in one transaction.
ONSITE_WINDOW = timedelta(minutes=1)
# How long the automatic routing's update waits after it (see the module's docstring).
ROUTED_QUIET = timedelta(minutes=10)


def _automatic_routing(event: RequestEvent) -> bool:
    return (
        event.type == Type.ROUTED
        and event.actor_label == "Routing"
        and not (event.data or {}).get("transfer")
    )


def message_kind(*, event: RequestEvent) -> str | None:
    """The kind of resident message an event calls for, or None."""
    if not event.public:
        return None
    if event.type in (Type.CREATED, Type.SUPPORTER_ADDED):
        return "received"
    if event.type == Type.ROUTED:
        return "routed"
    if event.type == Type.ONSITE_ATTEMPT:
        return "onsite_attempt"
    if event.type == Type.COMMENT:
        return "comment"
    if event.type != Type.STATUS_CHANGED:
        return None
    to = event.to_value
    if to == Status.IN_PROGRESS:
        return None if _just_after_onsite_attempt(event) else "in_progress"
    if to == Status.WAITING_ON_RESIDENT:
        return "waiting_on_resident"
    if to in CLOSING:
        return "resolved"
    if to == Status.REOPENED:
        return "reopened"
    if to == Status.CLOSED_DUPLICATE:
        return "merged"
    return None


def _work_started_by(visit: RequestEvent) -> bool:
    return RequestEvent.objects.filter(
        request_id=visit.request_id,
        type=Type.STATUS_CHANGED,
        to_value=Status.IN_PROGRESS,
        id__gt=visit.id,
        created_at__lte=visit.created_at + ONSITE_WINDOW,
    ).exists()


def _just_after_onsite_attempt(event: RequestEvent) -> bool:
    return RequestEvent.objects.filter(
        request_id=event.request_id,
        type=Type.ONSITE_ATTEMPT,
        id__lt=event.id,
        created_at__gte=event.created_at - ONSITE_WINDOW,
    ).exists()


def on_event(event: RequestEvent) -> None:
    """React to one request event (idempotent: subscriptions and outbox rows are unique). In a
    dispatch the messages are written with its others, in one INSERT after its last event."""
    event_messages_queue(event=event, batch=True)


def confirmation_queue(*, event_id: int) -> OutboxMessage | None:
    """Queue the 'we received your report' message for a `created` event: to the reporter, on
    the channel they chose, in their language. Idempotent: the outbox dedupe key means a second
    call queues nothing and returns None."""
    event = RequestEvent.objects.get(pk=event_id)
    if event.type != RequestEvent.Type.CREATED:
        return None
    queued = event_messages_queue(event=event)
    return queued[0] if queued else None


def event_messages_queue(*, event: RequestEvent, batch: bool = False) -> list[OutboxMessage]:
    """Create the subscriptions an event implies, then queue its messages. Returns the rows
    queued by this call (none on a re-delivery); with ``batch``, inside a dispatch, unsaved
    until its last event (notifications.outbox.outbox_queue)."""
    kind = message_kind(event=event)
    if kind is None and event.type not in (Type.CREATED, Type.SUPPORTER_ADDED):
        # Most events message nobody (internal notes, scores, assignments): stop before
        # reading the request.
        return []
    # Shared with the staff alerts of the same task while nothing in it writes.
    request = request_for_messages(request_id=event.request_id)
    recipients: list[RequestSubscription] = []
    known: list[RequestSubscription] | None = None
    checked: dict[tuple[str, str], OutboxChecks] = {}
    # The request's subscriptions as this dispatch last read or wrote them: the receipt's read
    # serves the routed update of the same task (only these handlers write subscriptions in a
    # dispatch, and each that does drops or replaces this).
    kept = ("subscriptions", request.pk)
    if event.type == Type.CREATED:
        # One statement makes the reporter's subscription if missing, reads the request's
        # subscriptions for the recipients below and asks the receipt's checks (was three).
        known, checked = reporter_subscriptions_read(
            request=request,
            ask=lambda channel, address: (
                _checks_ask(
                    request=request,
                    event=event,
                    channel=channel,
                    address=address,
                    kind=kind,
                    contact=True,
                )
                if kind is not None
                else None
            ),
        )
        dispatch_keep(kept, known)
    if event.type == Type.SUPPORTER_ADDED:
        dispatch_drop(kept)
        supporter = Supporter.objects.filter(pk=(event.data or {}).get("supporter_id")).first()
        recipients = supporter_subscriptions_ensure(supporter=supporter) if supporter else []
    if kind is None:
        return []
    if event.type != Type.SUPPORTER_ADDED:
        if known is None:
            known = dispatch_kept(kept)  # type: ignore[assignment]
        if known is not None:
            recipients = sorted(
                (s for s in known if s.confirmed_at is not None and s.unsubscribed_at is None),
                key=lambda s: s.pk,
            )
        else:
            recipients = list(
                request.subscriptions.filter(
                    confirmed_at__isnull=False, unsubscribed_at__isnull=True
                ).order_by("id")
            )
        if kind in ("received", "waiting_on_resident"):
            recipients = [s for s in recipients if s.role == Role.REPORTER]
        if kind == "received" and request.channel == Channel.SMS:
            # Reported by text: the conversation's last reply already gave the number and link.
            recipients = [s for s in recipients if s.channel != Channel.SMS]
    queued = []
    # The automatic routing's update waits (ROUTED_QUIET); whether its contact is confirmed is
    # asked when it is due.
    held = _automatic_routing(event)
    for subscription in recipients:
        if not subscription.active:
            continue
        key = dedupe_key_for(
            event_id=event.pk, channel=subscription.channel, recipient=subscription.address
        )
        if held:
            # Nothing to ask now: when it is due the sender asks whether the address opted out,
            # the subscription was dropped or the reporter's contact is still unconfirmed
            # (notifications.sending), and a re-delivered event's second row is skipped by the
            # INSERT itself (its dedupe key).
            checks = OutboxChecks(queued=False, opted_out=False)
        else:
            checks = _checks(
                request=request,
                event=event,
                subscription=subscription,
                kind=kind,
                asked=(
                    checked.get((subscription.channel, subscription.address))
                    if subscription.role == Role.REPORTER
                    else None
                ),
            )
        if checks.queued:
            continue  # re-delivered: skip the rendering too
        if (
            not held
            and _unconfirmed(request=request, subscription=subscription)
            and not _receipt_allowed(event=event, kind=kind, sent=checks.sent)
        ):
            continue
        message = _queue(
            request=request,
            event=event,
            subscription=subscription,
            kind=kind,
            dedupe_key=key,
            opted_out=checks.opted_out,
            not_before=event.created_at + ROUTED_QUIET if held else None,
            batch=batch,
            held=held,
        )
        if message is not None:
            queued.append(message)
    if kind == "merged":
        # After the "merged into …" message, they hear about the original from now on.
        subscriptions_carry_to_original(duplicate=request)
        dispatch_drop(kept)
        dispatch_drop(("subscriptions", request.duplicate_of_id))
    return queued


def _unconfirmed(*, request: ServiceRequest, subscription: RequestSubscription) -> bool:
    if subscription.role != Role.REPORTER:
        return False
    # Asked up to three times per message (whether to send, the receipt's wording, the private
    # link); kept on this call's subscription object, so it is read once per message.
    held = getattr(subscription, "_contact_unconfirmed", None)
    if held is None:
        held = reporter_contact_unconfirmed(
            request=request, channel=subscription.channel, address=subscription.address
        )
        subscription._contact_unconfirmed = held
    return held


def _checks_ask(
    *,
    request: ServiceRequest,
    event: RequestEvent,
    channel: str,
    address: str,
    kind: str,
    contact: bool,
) -> ChecksAsked:
    """What one message to ``address`` asks of the database before rendering (``_checks``);
    with ``contact`` (a reporter's), whether their contact is confirmed too."""
    pairs = (
        reporter_contact_pairs(request=request, channel=channel, address=address)
        if contact
        else None
    )
    receipt = kind == "received" and event.type == Type.CREATED
    return outbox_checks_ask(
        dedupe_key=dedupe_key_for(event_id=event.pk, channel=channel, recipient=address),
        channel=channel,
        address=address,
        sent_template="received" if receipt else "",
        sent_since=timezone.now() - timedelta(days=1) if receipt else None,
        confirmed_pairs=pairs,
    )


def _checks(
    *,
    request: ServiceRequest,
    event: RequestEvent,
    subscription: RequestSubscription,
    kind: str,
    asked: OutboxChecks | None = None,
) -> OutboxChecks:
    """Everything one message asks of the database before rendering, in one query (the
    receipt asked in three): queued already, opted out, and for a reporter's receipt whether
    their contact is confirmed (kept on the subscription for ``_unconfirmed``) and how many
    receipts the contact got in the last day (``_receipt_allowed``). ``asked``: the answers,
    read already with the subscriptions (``reporter_subscriptions_read``)."""
    contact = subscription.role == Role.REPORTER and not hasattr(
        subscription, "_contact_unconfirmed"
    )
    checks = asked or outbox_checks(
        _checks_ask(
            request=request,
            event=event,
            channel=subscription.channel,
            address=subscription.address,
            kind=kind,
            contact=contact,
        )
    )
    if contact:
        # Not asked (None): the request says its contact is confirmed.
        subscription._contact_unconfirmed = checks.confirmed is not None and not checks.confirmed
    return checks


def _receipt_allowed(*, event: RequestEvent, kind: str, sent: int | None) -> bool:
    """An unconfirmed contact gets the receipt of a report and nothing else, and at most
    IntakeSettings.unconfirmed_receipts_per_day of those, however many reports name it
    (``sent``: the receipts it got in the last day, not counting suppressed ones)."""
    if kind != "received" or event.type != Type.CREATED or sent is None:
        return False
    return sent < IntakeSettings.load().unconfirmed_receipts_per_day


def _queue(
    *,
    request: ServiceRequest,
    event: RequestEvent,
    subscription: RequestSubscription,
    kind: str,
    dedupe_key: str,
    opted_out: bool,
    not_before: datetime | None = None,
    batch: bool = False,
    held: bool = False,
) -> OutboxMessage | None:
    language = subscription.language or request.language
    with translation.override(language):
        context = message_context(
            request=request, event=event, subscription=subscription, kind=kind, held=held
        )
    return _subscriber_message_queue(
        request=request,
        subscription=subscription,
        kind=kind,
        language=language,
        context=context,
        link=context["tracker_url"],
        event=event,
        dedupe_key=dedupe_key,
        opted_out=opted_out,
        not_before=not_before,
        batch=batch,
    )


def _subscriber_message_queue(
    *,
    request: ServiceRequest,
    subscription: RequestSubscription,
    kind: str,
    language: str,
    context: dict,
    link: str,
    dedupe_key: str,
    event: RequestEvent | None = None,
    opted_out: bool | None = None,
    not_before: datetime | None = None,
    batch: bool = False,
) -> OutboxMessage | None:
    """Render one message of ``kind`` for a subscriber and queue it (sent no earlier than
    ``not_before`` when given; ``batch``: see outbox_queue). A text message is fitted to two
    segments, keeping ``link`` whole."""
    rendered = message_render(
        kind=kind, channel=subscription.channel, language=language, context=context
    )
    text = rendered.text
    if subscription.channel == Channel.SMS:
        text = sms_fit(text, keep=link)
    return outbox_queue(
        channel=subscription.channel,
        recipient=subscription.address,
        template=kind,
        language=language,
        subject=rendered.subject,
        body_text=text,
        body_html=rendered.html,
        request=request,
        event=event,
        subscription=subscription,
        dedupe_key=dedupe_key,
        opted_out=opted_out,
        not_before=not_before,
        batch=batch,
    )


def message_context(
    *,
    request: ServiceRequest,
    subscription: RequestSubscription,
    kind: str,
    event: RequestEvent | None = None,
    held: bool = False,
) -> dict:
    """What a message template may use. Call with the recipient's language active (category
    names and closure reasons come out in it). Private details (the reporter's name, email,
    phone, private link) appear only in the reporter's own messages. ``held``: a message sent
    only if the reporter's contact is confirmed when it is due (the automatic routing's
    update), so it is written as to a confirmed contact."""
    reporter = subscription.role == Role.REPORTER
    unconfirmed = not held and _unconfirmed(request=request, subscription=subscription)
    context = {
        "request": request,
        "tracking_number": request.tracking_number,
        "category_name": request.category.tr("name"),
        "department_name": request.department.tr("name") if request.department else "",
        "address": location_for_message(request.address),
        "city_name": settings.CITY_NAME,
        "language": translation.get_language() or "en",
        "tracker_url": absolute_url(request.get_absolute_url()),
        # The day the confirmation page and tracker promise, on the city's clock and in the
        # recipient's language (the worker runs in UTC: `|date` here was a day late each evening).
        "expected_date": when_date(request.expected_at),
        "private_url": (
            _private_url(request=request, subscription=subscription, unconfirmed=unconfirmed)
            if reporter
            else ""
        ),
        # The receipt says plainly that updates wait for this link (see _unconfirmed).
        "confirm_needed": unconfirmed,
        "preferences_url": (
            absolute_url(reverse("notifications:preferences", args=[request.private_token]))
            if reporter and request.private_token
            else ""
        ),
        "unsubscribe_url": absolute_url(
            reverse("notifications:unsubscribe", args=[subscription.token])
        )
        if subscription.token
        else "",
        "role": subscription.role,
        "is_reporter": reporter,
        "is_follower": subscription.role == Role.FOLLOWER,
        "message": "",
        "status_label": str(Status(request.status).label),
        "closure_text": "",
        "evidence_photos": [],
        "original_number": "",
        "original_url": "",
    }
    if event is None:
        return context
    if event.type == Type.STATUS_CHANGED and event.to_value in Status.values:
        context["status_label"] = str(Status(event.to_value).label)
    if kind in ("comment", "onsite_attempt", "waiting_on_resident", "reopened"):
        context["message"] = event.message
    # The visit that started the work says so: its in_progress update is not sent (one message).
    context["work_started"] = kind == "onsite_attempt" and _work_started_by(event)
    if kind == "resolved":
        reason = _closure_reason(event=event, request=request)
        if reason is not None:
            context["closure_text"] = reason.tr("public_text")
            if event.message and event.message.strip() != reason.public_text.strip():
                context["message"] = event.message
        else:
            context["message"] = event.message
        context["evidence_photos"] = [
            {
                "url": absolute_url(reverse("requests_app:photo", args=[p.uuid, "full"])),
                "thumb_url": absolute_url(reverse("requests_app:photo", args=[p.uuid, "thumb"])),
            }
            for p in request.photos.filter(public=True, source=Photo.Source.STAFF)
        ]
    if kind == "merged":
        original = _original_of(event=event, request=request)
        if original is not None:
            context["original_number"] = original.tracking_number
            context["original_url"] = absolute_url(original.get_absolute_url())
    return context


def _private_url(
    *, request: ServiceRequest, subscription: RequestSubscription, unconfirmed: bool
) -> str:
    """The reporter's private link; while their contact is ``unconfirmed`` it carries the code
    that confirms it when followed (requests_app.services.request_contact_confirm)."""
    if not request.private_token:
        return ""
    url = absolute_url(reverse("requests_app:private", args=[request.private_token]))
    if unconfirmed:
        code = contact_confirm_code(
            request=request, channel=subscription.channel, address=subscription.address
        )
        url = f"{url}?confirm={code}"
    return url


def _closure_reason(*, event: RequestEvent, request: ServiceRequest) -> ClosureReason | None:
    # The event's own reason: the request may have been reopened and closed again since.
    code = (event.data or {}).get("closure_reason")
    if code:
        return ClosureReason.objects.filter(code=code).first()
    return request.closure_reason


def _original_of(*, event: RequestEvent, request: ServiceRequest) -> ServiceRequest | None:
    marked = (
        RequestEvent.objects.filter(
            request_id=request.pk, type=Type.DUPLICATE_MARKED, id__lt=event.pk
        )
        .order_by("-id")
        .first()
    )
    if marked is not None and marked.to_value:
        original = ServiceRequest.objects.filter(tracking_number=marked.to_value).first()
        if original is not None:
            return original
    return request.duplicate_of


# --- Followers ------------------------------------------------------------------------------------


def follow_confirmation_queue(*, subscription: RequestSubscription) -> OutboxMessage | None:
    """The double opt-in message: a link that confirms the follow. Once per subscription."""
    request = subscription.request
    language = subscription.language or "en"
    with translation.override(language):
        context = message_context(request=request, subscription=subscription, kind="follow_confirm")
        context["confirm_url"] = absolute_url(
            reverse("notifications:follow_confirm", args=[subscription.token])
        )
    return _subscriber_message_queue(
        request=request,
        subscription=subscription,
        kind="follow_confirm",
        language=language,
        context=context,
        link=context["confirm_url"],
        dedupe_key=dedupe_key_for(
            event_id=None,
            channel=subscription.channel,
            recipient=subscription.address,
            extra=f"follow:{subscription.token}",
        ),
    )


def request_follow(
    *, request: ServiceRequest, channel: str, address: str, language: str
) -> RequestSubscription:
    """Someone asks to follow a public request: an unconfirmed follower subscription and the
    message with its confirmation link. An address already on the request gets nothing new."""
    subscription, needs_confirmation = follower_subscribe(
        request=request, channel=channel, address=address, language=language
    )
    if needs_confirmation:
        follow_confirmation_queue(subscription=subscription)
    return subscription


# --- SMS length -----------------------------------------------------------------------------------


def sms_segments(text: str) -> tuple[int, str]:
    """(segments, encoding) of a text message (for the template preview)."""
    return segments(text), ("GSM-7" if is_gsm7(text) else "UCS-2")


def sms_fit(text: str, *, keep: str = "") -> str:
    """One line within two segments, GSM-7 where possible; the link (``keep``) is never cut and
    goes last (notifications.sms does the fitting)."""
    text = " ".join(text.split())
    if keep and keep in text:
        head, _found, tail = text.partition(keep)
        return fit(" ".join(x for x in (head.strip(), tail.strip()) if x), link=keep)
    return fit(text, link="").strip()
