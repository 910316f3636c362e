"""Replies that come back to the city: an email to a signed reply-to address, or a text message
from a resident's phone, threaded onto their request as a resident comment with photos.

Shared by the inbound email endpoint, the SMS webhook (notifications.inbound.sms) and the
development mailbox. Every call leaves one InboundMessage row saying what became of it."""

from __future__ import annotations

import email
import email.policy
import html as html_lib
import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from civic311.sanitize import clean_text
from notifications.models import Channel, InboundMessage, MessagingSettings, RequestSubscription
from notifications.replyto import reply_address_parse
from requests_app.models import Photo, ServiceRequest
from requests_app.services import photo_stage, request_reopen, request_resident_comment

logger = logging.getLogger(__name__)

# The closure reason that asks the resident for a photo or details; a reply within
# MessagingSettings.no_problem_reply_days reopens the request for review.
NO_PROBLEM_FOUND = "no_problem_found"
REOPEN_REASON = "Resident replied with more details"

# What a reply may carry. A comment is cut at the length of a report's description.
MAX_COMMENT_CHARS = 4000
# Smaller images are tracking pixels and signature logos, not photos of the problem.
MIN_IMAGE_BYTES = 1024

# Reasons, for the admin's inbound log and for tests.
NO_REPLY_ADDRESS = "No signed reply address among the recipients (forged, unsigned or foreign)."
UNKNOWN_REQUEST = "The reply address names a request that no longer exists."
SENDER_NOT_ALLOWED = "The sender is not the reporter or a subscriber of this request."
EMPTY_REPLY = "Nothing left once quoted text was removed, and no photos."
CLOSED_NOT_REOPENED = "The request is closed; the reply was added without reopening it."
REOPENED = "Reopened: the resident replied within %(days)d days of 'no problem found'."


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    data: bytes


# --- Quoted text -----------------------------------------------------------------------------

# An attribution line ("On Mon, 3 Jun 2024, Rosa <rosa@example.com> wrote:"), which mail clients
# may wrap over two lines; Spanish clients write "El lun, 3 jun 2024, Rosa escribió:".
_ATTRIBUTION = re.compile(r"^\s*(On|El)\s.*\b(wrote|escribió|escribio)\s*:\s*$", re.I | re.S)
_CUT_LINES = (
    re.compile(r"^\s*-{2,}\s*(Original Message|Mensaje original)\s*-{2,}\s*$", re.I),
    re.compile(r"^\s*_{10,}\s*$"),  # Outlook's rule above the quoted headers
    re.compile(r"^-- ?$"),  # the signature delimiter
    re.compile(r"^\s*(Sent from my|Enviado desde mi)\s", re.I),
)
# Outlook's quoted header block: "From:" (or "De:") followed shortly by Sent/Date/To/Subject.
_HEADER_START = re.compile(r"^\s*\*?(From|De)\s*:\*?\s", re.I)
_HEADER_NEXT = re.compile(r"^\s*\*?(Sent|Date|To|Subject|Enviado|Fecha|Para|Asunto)\s*:\*?\s", re.I)


def reply_text_strip(text: str) -> str:
    """The new part of a reply: everything above the quoted message, without '>' lines and
    without the signature."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if _ATTRIBUTION.match(line) or (
            line.lstrip().startswith(("On ", "El ")) and _ATTRIBUTION.match(f"{line} {following}")
        ):
            break
        if any(pattern.match(line) for pattern in _CUT_LINES):
            break
        if _HEADER_START.match(line) and any(
            _HEADER_NEXT.match(later) for later in lines[i + 1 : i + 4]
        ):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


_QUOTE_BLOCKS = re.compile(
    r"<blockquote\b.*?</blockquote>|<div[^>]*class=\"?[^\">]*(gmail_quote|moz-cite)[^>]*>.*",
    re.I | re.S,
)
_BREAKS = re.compile(r"<br\s*/?>|</p>|</div>|</li>|</tr>", re.I)
_TAGS = re.compile(r"<[^>]+>")
_HIDDEN = re.compile(r"<(style|script|head)\b.*?</\1>", re.I | re.S)


def html_to_text(markup: str) -> str:
    """Plain text from an HTML-only reply, quoted blocks dropped."""
    markup = _HIDDEN.sub("", markup or "")
    markup = _QUOTE_BLOCKS.sub("", markup)
    markup = _BREAKS.sub("\n", markup)
    return html_lib.unescape(_TAGS.sub("", markup))


# --- Who may reply -------------------------------------------------------------------------------


def request_reply_addresses(*, request: ServiceRequest, channel: str) -> set[str]:
    """The addresses allowed to reply to a request on a channel: the reporter's own, those of
    residents who reported it too, and active subscriptions (reporter, supporter, follower)."""
    if channel == Channel.EMAIL:
        found = {request.reporter_email} | set(
            request.supporters.exclude(email="").values_list("email", flat=True)
        )
    else:
        found = {str(request.reporter_phone or "")} | {
            str(p) for p in request.supporters.exclude(phone="").values_list("phone", flat=True)
        }
    found |= set(
        RequestSubscription.objects.filter(
            request=request,
            channel=channel,
            confirmed_at__isnull=False,
            unsubscribed_at__isnull=True,
        ).values_list("address", flat=True)
    )
    return {a.strip().lower() for a in found if a and a.strip()}


def reopens_on_reply(*, request: ServiceRequest, now: datetime) -> bool:
    """Closed as 'no problem found' and still inside the window for the resident's answer."""
    if request.is_open or request.closure_reason_id is None or request.resolved_at is None:
        return False
    if request.closure_reason.code != NO_PROBLEM_FOUND:
        return False
    days = MessagingSettings.load().no_problem_reply_days
    return now - request.resolved_at <= timedelta(days=days)


def phone_requests_for_reply(*, phone: str, now: datetime) -> ServiceRequest | None:
    """The request a text message from this number answers: of the number's open requests and
    those closed as 'no problem found' within the reply window, the one updated last."""
    candidates = (
        ServiceRequest.objects.filter(
            Q(reporter_phone=phone)
            | Q(supporters__phone=phone)
            | Q(
                subscriptions__channel=Channel.SMS,
                subscriptions__address=phone,
                subscriptions__confirmed_at__isnull=False,
                subscriptions__unsubscribed_at__isnull=True,
            )
        )
        .select_related("closure_reason")
        .distinct()
        .order_by("-updated_at", "-id")
    )
    for request in candidates[:20]:
        if request.is_open or reopens_on_reply(request=request, now=now):
            return request
    return None


# --- Threading -----------------------------------------------------------------------------------


def lock_key(value: str) -> None:
    """Serialise work on one key (a Message-ID, a phone number) until the transaction ends.
    InboundMessage.provider_id has no unique constraint, so a retried webhook arriving while the
    first is still being handled would otherwise be threaded twice."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [value])


def photos_from_attachments(
    *, attachments: Sequence[Attachment], limit: int, draft_key: uuid.UUID | None = None
) -> tuple[list[Photo], int]:
    """Stage image attachments through the intake photo pipeline (size limit, re-encoded without
    EXIF; the GPS position is kept only in the private field). Returns (photos, skipped)."""
    photos: list[Photo] = []
    skipped = 0
    draft_key = draft_key or uuid.uuid4()
    for attachment in attachments:
        kind = attachment.content_type.lower()
        # Some relays label every file application/octet-stream: the pipeline decides.
        if not (kind.startswith("image/") or kind in ("", "application/octet-stream")):
            skipped += 1
            continue
        if len(attachment.data) < MIN_IMAGE_BYTES:
            continue
        if len(photos) >= limit:
            skipped += 1
            continue
        upload = SimpleUploadedFile(
            attachment.name or "photo.jpg", attachment.data, attachment.content_type
        )
        try:
            photos.append(photo_stage(upload=upload, draft_key=draft_key))
        except ValidationError:
            skipped += 1
    return photos, skipped


@dataclass(frozen=True)
class Threaded:
    reopened: bool
    reason: str


def reply_thread(
    *,
    log: InboundMessage,
    request: ServiceRequest,
    photos: list[Photo],
    now: datetime,
    skipped_note: str = "",
) -> Threaded:
    """Add a resident's reply (``log.body``) to their request, in the caller's transaction, and
    save on the log what became of it (``skipped_note`` says which pictures were not kept).

    1. Closed as 'no problem found' within the reply window: reopen for review first (actor None,
       so it reads as the system acting on the resident's answer).
    2. Add the comment and photos as an internal resident comment (emails and texts carry
       signatures, names and numbers): staff see it, the public does not; it sets
       resident_replied_at so the queue shows 'Resident replied'.
    3. Other closed requests keep the reply on their timeline without reopening.
    """
    message = log.body
    reopened = reopens_on_reply(request=request, now=now)
    if reopened:
        request = request_reopen(request=request, actor=None, reason=REOPEN_REASON)
    try:
        request_resident_comment(request=request, message=message, photos=photos, public=False)
    except ValidationError:
        # The request already holds as many photos as it may: keep the words at least.
        request_resident_comment(request=request, message=message, photos=[], public=False)
    if reopened:
        reason = REOPENED % {"days": MessagingSettings.load().no_problem_reply_days}
    elif not request.is_open:
        reason = CLOSED_NOT_REOPENED
    else:
        reason = ""
    log.request = request
    log.outcome = InboundMessage.Outcome.THREADED
    log.reason = " ".join(note for note in (reason, skipped_note) if note)[:300]
    log.save()
    return Threaded(reopened=reopened, reason=reason)


# --- Email ---------------------------------------------------------------------------------------


@dataclass
class ParsedEmail:
    sender: str = ""
    recipients: list[str] | None = None
    subject: str = ""
    text: str = ""
    html: str = ""
    message_id: str = ""
    attachments: list[Attachment] | None = None


def email_parse(raw_mime: bytes) -> ParsedEmail:
    """The parts of a raw RFC 5322 message that matter here. Images anywhere in the message
    (attached or inline) count as attachments."""
    msg = email.message_from_bytes(raw_mime, policy=email.policy.default)
    recipients = [
        address
        for header in ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
        for _name, address in getaddresses(msg.get_all(header, []))
        if address
    ]
    text = html = ""
    body = msg.get_body(preferencelist=("plain",))
    if body is not None:
        text = body.get_content()
    body = msg.get_body(preferencelist=("html",))
    if body is not None:
        html = body.get_content()
    attachments = []
    for part in msg.walk():
        if part.is_multipart() or part.get_content_maintype() != "image":
            continue
        data = part.get_payload(decode=True) or b""
        attachments.append(Attachment(part.get_filename() or "", part.get_content_type(), data))
    return ParsedEmail(
        sender=parseaddr(str(msg.get("From", "")))[1],
        recipients=recipients,
        subject=str(msg.get("Subject", "")),
        text=text,
        html=html,
        message_id=str(msg.get("Message-ID", "")).strip(),
        attachments=attachments,
    )


def inbound_email_receive(
    *,
    raw_mime: bytes | None = None,
    sender: str = "",
    recipients: Sequence[str] = (),
    subject: str = "",
    text: str = "",
    html: str = "",
    attachments: Sequence[Attachment] = (),
    message_id: str = "",
) -> InboundMessage:
    """Thread an emailed reply onto its request, or refuse it; either way it is logged.

    1. A raw MIME message is parsed; explicit arguments (the envelope, a provider's parsed
       fields) win over what the message says.
    2. A message already handled (same Message-ID) returns its earlier log row: relays retry.
    3. The request comes only from a signed reply-to address among the recipients; a forged,
       unsigned or foreign-domain address is refused and nothing touches any request.
    4. The sender must be the reporter, a resident who reported it too, or an active subscriber.
    5. Quoted text and signatures are stripped; image attachments become resident photos.
    6. reply_thread adds it (reopening a 'no problem found' closure within the window).
    """
    if raw_mime:
        parsed = email_parse(raw_mime)
        sender = sender or parsed.sender
        recipients = [*recipients, *(parsed.recipients or [])]
        subject = subject or parsed.subject
        text = text or parsed.text
        html = html or parsed.html
        attachments = [*attachments, *(parsed.attachments or [])]
        message_id = message_id or parsed.message_id
    # The raw message bypasses the request cleaning: a NUL here would fail the log's INSERT and
    # the relay would retry forever.
    sender, subject, text, html, message_id = (
        clean_text(v) for v in (sender, subject, text, html, message_id)
    )
    recipients = [clean_text(str(r)) for r in recipients]
    sender = parseaddr(sender)[1].strip().lower()
    addresses = [parseaddr(r)[1] or r for value in recipients for r in str(value).split(",")]
    body = reply_text_strip(text or html_to_text(html))[:MAX_COMMENT_CHARS]
    log = InboundMessage(
        channel=Channel.EMAIL,
        sender=sender[:254],
        subject=subject[:300],
        body=body,
        provider_id=message_id[:120],
    )
    with transaction.atomic():
        if log.provider_id:
            lock_key(f"email:{log.provider_id}")
            earlier = InboundMessage.objects.filter(
                channel=Channel.EMAIL, provider_id=log.provider_id
            ).first()
            if earlier is not None:
                return earlier
        request_id = None
        for address in addresses:
            request_id = reply_address_parse(address.strip())
            if request_id is not None:
                log.recipient = address.strip()[:254]
                break
        else:
            log.recipient = ",".join(a.strip() for a in addresses)[:254]
        return _email_thread(log=log, request_id=request_id, attachments=attachments)


def _email_thread(
    *, log: InboundMessage, request_id: int | None, attachments: Sequence[Attachment]
) -> InboundMessage:
    def refuse(reason: str) -> InboundMessage:
        log.outcome, log.reason = InboundMessage.Outcome.REJECTED, reason
        log.save()
        return log

    if request_id is None:
        return refuse(NO_REPLY_ADDRESS)
    request = ServiceRequest.objects.select_related("closure_reason").filter(pk=request_id).first()
    if request is None:
        return refuse(UNKNOWN_REQUEST)
    log.request = request
    if log.sender not in request_reply_addresses(request=request, channel=Channel.EMAIL):
        return refuse(SENDER_NOT_ALLOWED)
    photos, skipped = photos_from_attachments(
        attachments=attachments, limit=settings.PHOTO_MAX_COUNT
    )
    if not log.body and not photos:
        return refuse(EMPTY_REPLY)
    reply_thread(
        log=log,
        request=request,
        photos=photos,
        now=timezone.now(),
        skipped_note=f"{skipped} attachment(s) were not photos we could keep." if skipped else "",
    )
    return log
