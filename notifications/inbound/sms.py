"""Text messages to the city's number: STOP/START/HELP keywords, replies threaded onto the
sender's request, and text-message reports (notifications.inbound.sms_report).

The webhook answers in the same HTTP response (TwiML). That answer is also written to the outbox
as an already-sent SMS, so the admin's message log and the development mailbox show both sides
of the conversation; it is never handed to a transport."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civic311.sanitize import clean_text
from notifications.inbound import sms_report
from notifications.inbound.replies import (
    MAX_COMMENT_CHARS,
    Attachment,
    lock_key,
    phone_requests_for_reply,
    photos_from_attachments,
    reply_thread,
)
from notifications.inbound.twilio import Media
from notifications.models import (
    Channel,
    ContactPreference,
    InboundMessage,
    MessagingSettings,
    OutboxMessage,
)
from notifications.outbox import contact_preference_set
from requests_app.models import ServiceRequest

logger = logging.getLogger(__name__)

# Carrier-standard keywords (CTIA), plus their usual Spanish forms.
STOP_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "ALTO", "PARAR", "BAJA"}
)
START_WORDS = frozenset({"START", "UNSTOP", "YES", "COMENZAR", "ALTA"})
HELP_WORDS = frozenset({"HELP", "INFO", "AYUDA"})
SPANISH_KEYWORDS = frozenset({"ALTO", "PARAR", "BAJA", "COMENZAR", "ALTA", "AYUDA"})
# Start a new report even though the number has an open request.
NEW_WORDS = frozenset({"NEW", "NUEVO", "NUEVA"})

KEYWORD_SOURCE = "sms-keyword"
NO_REQUEST = "No open request for this number and text-message reports are turned off."
DUPLICATE = "A retry of a message already handled (same provider id)."


@dataclass(frozen=True)
class SmsResult:
    inbound: InboundMessage
    reply: str  # what the city answers ("" for nothing)
    language: str = "en"
    duplicate: bool = False


def phone_normalize(value: str) -> str:
    """E.164 when the number parses (in the city's default region), else the digits as sent."""
    value = (value or "").strip()
    try:
        number = phonenumbers.parse(value, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def keyword_of(body: str) -> str:
    """The message as a keyword: one word, upper case, punctuation dropped."""
    words = re.sub(r"[^\w\s]", "", body or "").upper().split()
    return words[0] if len(words) == 1 else ""


# --- Receiving -------------------------------------------------------------------------------


def sms_receive(
    *,
    sender: str,
    body: str,
    recipient: str = "",
    provider_id: str = "",
    media_urls: Sequence[str] = (),
    attachments: Sequence[Attachment] = (),
) -> SmsResult:
    """Handle one incoming text message and say what to answer.

    1. A provider retry (same MessageSid) is ignored: no second comment, no second answer.
    2. STOP/START/HELP keywords (English and Spanish) are honoured and recorded.
    3. A number in the middle of a text-message report continues it (expired ones are dropped).
    4. A number with an open request (or one closed as 'no problem found' within the window)
       adds the message and any MMS photos to it; NEW starts a separate report instead.
    5. Anything else starts a text-message report, if MessagingSettings allows them.
    """
    # Provider-parsed text, possibly from a caller other than the webhook: a NUL would fail the
    # log's INSERT and the provider would retry forever.
    sender, body, recipient, provider_id = (
        clean_text(v or "") for v in (sender, body, recipient, provider_id)
    )
    phone = phone_normalize(sender)
    media = Media(urls=media_urls, attachments=attachments)
    log = InboundMessage(
        channel=Channel.SMS,
        sender=phone[:254],
        recipient=(recipient or "")[:254],
        body=(body or "").strip()[:MAX_COMMENT_CHARS],
        provider_id=(provider_id or "")[:120],
    )
    with transaction.atomic():
        # One message per number at a time: a conversation's steps must not interleave.
        lock_key(f"sms:{phone}")
        if log.provider_id:
            earlier = InboundMessage.objects.filter(
                channel=Channel.SMS, provider_id=log.provider_id
            ).first()
            if earlier is not None:
                return SmsResult(inbound=earlier, reply="", duplicate=True)
        result = _handle(log=log, phone=phone, media=media)
        if result.reply:
            _record_reply(result=result, phone=phone)
        return result


def _handle(*, log: InboundMessage, phone: str, media: Media) -> SmsResult:
    keyword = keyword_of(log.body) if not media else ""
    if keyword in STOP_WORDS | START_WORDS | HELP_WORDS:
        return _keyword(log=log, phone=phone, keyword=keyword)
    now = timezone.now()
    conversation = sms_report.conversation_open(phone=phone, now=now)
    if conversation is not None:
        return _intake(log, sms_report.conversation_continue(conversation, log.body, media, now))
    request = phone_requests_for_reply(phone=phone, now=now)
    if request is not None and keyword not in NEW_WORDS:
        return _thread(log=log, request=request, media=media, now=now)
    if MessagingSettings.load().sms_intake_enabled:
        text = "" if keyword in NEW_WORDS else log.body
        return _intake(log, sms_report.conversation_start(phone, text, media, now))
    log.outcome, log.reason = InboundMessage.Outcome.REJECTED, NO_REQUEST
    log.save()
    language = _language_for(phone, log.body)
    with translation.override(language):
        return SmsResult(inbound=log, reply=help_text(), language=language)


def _intake(log: InboundMessage, step: sms_report.Step) -> SmsResult:
    log.outcome = InboundMessage.Outcome.INTAKE
    log.request = step.request
    log.reason = step.note[:300]
    log.save()
    return SmsResult(inbound=log, reply=step.reply, language=step.language)


def _thread(*, log: InboundMessage, request: ServiceRequest, media: Media, now) -> SmsResult:
    photos, skipped = photos_from_attachments(
        attachments=media.fetch(), limit=settings.PHOTO_MAX_COUNT
    )
    threaded = reply_thread(
        log=log,
        request=request,
        photos=photos,
        now=now,
        skipped_note=f"{skipped} picture(s) could not be kept." if skipped else "",
    )
    with translation.override(request.language):
        if threaded.reopened:
            reply = _(
                "Thank you. We reopened report %(number)s and will look again. "
                "Reply NEW to report a different problem."
            )
        else:
            reply = _(
                "Thank you. We added your message to report %(number)s. "
                "Reply NEW to report a different problem."
            )
        return SmsResult(
            inbound=log,
            reply=reply % {"number": request.tracking_number},
            language=request.language,
        )


# --- Keywords ------------------------------------------------------------------------------------


def _language_for(phone: str, body: str) -> str:
    if keyword_of(body) in SPANISH_KEYWORDS:
        return "es"
    preference = ContactPreference.objects.filter(channel=Channel.SMS, address=phone).first()
    if preference is not None and preference.language:
        return preference.language
    return sms_report.language_guess(body)


def help_text() -> str:
    return _(
        "%(city)s 311: report a problem by texting what and where, or at %(site)s. "
        "Call %(phone)s; emergencies %(emergency)s. Reply STOP to stop texts."
    ) % {
        "city": settings.CITY_NAME,
        "site": settings.SITE_URL,
        "phone": settings.CITY_PHONE,
        "emergency": settings.CITY_EMERGENCY_PHONE,
    }


def _keyword(*, log: InboundMessage, phone: str, keyword: str) -> SmsResult:
    language = _language_for(phone, log.body)
    log.outcome = InboundMessage.Outcome.KEYWORD
    latest = (
        ServiceRequest.objects.filter(reporter_phone=phone).order_by("-created_at").first()
        if phone
        else None
    )
    log.request = latest
    with translation.override(language):
        if keyword in HELP_WORDS:
            log.reason = "HELP"
            log.save()
            return SmsResult(inbound=log, reply=help_text(), language=language)
        opt_out = keyword in STOP_WORDS
        contact_preference_set(
            channel=Channel.SMS,
            address=phone,
            opted_out=opt_out,
            source=KEYWORD_SOURCE,
            request_id=latest.pk if latest is not None else None,
            language=language,
        )
        if opt_out:
            sms_report.conversation_abandon(phone=phone)
            reply = _(
                "You will no longer get text messages from %(city)s 311. Reply START to resume."
            )
        else:
            reply = _(
                "You will get text messages from %(city)s 311 again. Reply STOP to stop, "
                "HELP for help."
            )
        log.reason = "STOP" if opt_out else "START"
        log.save()
        return SmsResult(inbound=log, reply=reply % {"city": settings.CITY_NAME}, language=language)


def _record_reply(*, result: SmsResult, phone: str) -> None:
    """Keep the webhook's answer in the outbox as sent (it went back in the HTTP response)."""
    now = timezone.now()
    inbound = result.inbound
    OutboxMessage.objects.create(
        request=inbound.request,
        channel=OutboxMessage.Channel.SMS,
        recipient=phone,
        template="sms_reply",
        language=result.language,
        body_text=result.reply,
        status=OutboxMessage.Status.SENT,
        attempts=1,
        provider_message_id="twiml",
        dedupe_key=f"x:inbound-reply:{inbound.pk}:sms:{phone}"[:200],
        created_at=now,
        claimed_at=now,
        sent_at=now,
    )
