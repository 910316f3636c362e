"""Inbound webhooks (email replies, text messages) and the development mailbox.

POST /inbound/email/  a raw MIME message (Content-Type message/rfc822, or a form field "email" /
                      "body-mime"), or a provider's parsed form (sender/recipient/subject/
                      body-plain/body-html plus file attachments; SendGrid's from/to/text/html too).
POST /inbound/sms/    Twilio's messaging webhook; answers with TwiML.
GET  /dev/mailbox/    every outbox message with reply forms (DEV_MAILBOX and staff only).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hmac
from email.parser import BytesHeaderParser
from functools import wraps
from xml.sax.saxutils import escape

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from notifications.forms_inbound import MailboxReplyForm, MailboxSmsForm
from notifications.inbound import Attachment, inbound_email_receive
from notifications.models import InboundMessage, OutboxMessage
from notifications.replyto import reply_address_make
from notifications.selectors_inbound import dev_mailbox_list, inbound_recent
from notifications.sms_inbound import sms_receive, twilio_signature_valid
from staff.access import staff_required

# A whole message with its photos; larger posts get 413 before anything is parsed.
MAX_EMAIL_BYTES = 25 * 1024 * 1024
MAX_MMS = 10

FORBIDDEN = "Missing or wrong inbound secret (HTTP basic auth password or ?token=)."
NOT_CONFIGURED = "Inbound endpoints are closed until INBOUND_SECRET is set."
BAD_SIGNATURE = "Invalid X-Twilio-Signature."
UNPARSEABLE = (
    "Expected a raw MIME message (Content-Type message/rfc822, or a form field 'email' or "
    "'body-mime'), or form fields 'sender' and 'recipient'."
)
TOO_LARGE = "The message is larger than the inbound limit."
NO_SENDER = "Expected Twilio's 'From' field."


class _Unparseable(ValueError):
    pass


class _TooLarge(ValueError):
    pass


def _secret_ok(request: HttpRequest) -> bool | None:
    """True/False for a right/wrong secret; None when no secret is configured, which only a
    development site (DEBUG or DEV_MAILBOX) accepts."""
    secret = settings.INBOUND_SECRET
    if not secret:
        return True if (settings.DEBUG or settings.DEV_MAILBOX) else None
    supplied = [request.GET.get("token", "")]
    auth = request.headers.get("Authorization", "")
    if auth[:6].lower() == "basic ":
        with contextlib.suppress(binascii.Error, UnicodeDecodeError):
            supplied.append(base64.b64decode(auth[6:]).decode().partition(":")[2])
    return any(hmac.compare_digest(s.encode(), secret.encode()) for s in supplied if s)


def _refused(request: HttpRequest) -> JsonResponse | None:
    ok = _secret_ok(request)
    if ok is None:
        return JsonResponse({"error": NOT_CONFIGURED}, status=403)
    if not ok:
        return JsonResponse({"error": FORBIDDEN}, status=403)
    return None


def _email_arguments(request: HttpRequest) -> dict:
    """inbound_email_receive's arguments from whichever shape the relay or provider posts."""
    if request.content_type in ("message/rfc822", "text/plain", "application/octet-stream"):
        raw = request.read(MAX_EMAIL_BYTES + 1)
        return {"raw_mime": _raw_checked(raw)}
    if request.content_type not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        raise _Unparseable
    for field in ("email", "body-mime"):
        if field in request.FILES:
            return {"raw_mime": _raw_checked(request.FILES[field].read(MAX_EMAIL_BYTES + 1))}
        if request.POST.get(field):
            return {"raw_mime": _raw_checked(request.POST[field].encode("utf-8"))}
    post = request.POST
    sender = post.get("sender") or post.get("from") or ""
    recipient = post.get("recipient") or post.get("to") or ""
    if not sender or not recipient:
        raise _Unparseable
    attachments = []
    for upload in (f for files in request.FILES.lists() for f in files[1]):
        if upload.size > MAX_EMAIL_BYTES:
            raise _TooLarge
        attachments.append(Attachment(upload.name or "", upload.content_type or "", upload.read()))
    return {
        "sender": sender,
        "recipients": [recipient],
        "subject": post.get("subject", ""),
        "text": post.get("body-plain") or post.get("text") or "",
        "html": post.get("body-html") or post.get("html") or "",
        "attachments": attachments,
        "message_id": post.get("Message-Id") or post.get("message-id") or "",
    }


def _raw_checked(raw: bytes) -> bytes:
    if len(raw) > MAX_EMAIL_BYTES:
        raise _TooLarge
    headers = BytesHeaderParser().parsebytes(raw)
    if not raw.strip() or not (headers.get("From") or headers.get("To")):
        raise _Unparseable
    return raw


@csrf_exempt
@require_POST
def inbound_email(request: HttpRequest) -> JsonResponse:
    """A refused reply still answers 200 with outcome "rejected": retrying would not help."""
    refused = _refused(request)
    if refused is not None:
        return refused
    try:
        arguments = _email_arguments(request)
    except (_TooLarge, RequestDataTooBig):
        return JsonResponse({"error": TOO_LARGE}, status=413)
    except _Unparseable:
        return JsonResponse({"error": UNPARSEABLE}, status=400)
    inbound = inbound_email_receive(**arguments)
    return JsonResponse(_outcome(inbound))


def _outcome(inbound: InboundMessage) -> dict:
    return {
        "outcome": inbound.outcome,
        "request": inbound.request.tracking_number if inbound.request_id else None,
        "reason": inbound.reason,
    }


def _twiml(reply: str) -> HttpResponse:
    body = f"<Message>{escape(reply)}</Message>" if reply else ""
    xml = f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>'
    return HttpResponse(xml, content_type="text/xml; charset=utf-8")


@csrf_exempt
@require_POST
def inbound_sms(request: HttpRequest) -> HttpResponse:
    """Twilio's webhook. With TWILIO_AUTH_TOKEN set, the X-Twilio-Signature must match the URL
    as Twilio called it (behind a proxy, forward Host and X-Forwarded-Proto); without it the
    INBOUND_SECRET is required, as for email."""
    if settings.TWILIO_AUTH_TOKEN:
        valid = twilio_signature_valid(
            url=request.build_absolute_uri(),
            params=dict(request.POST.lists()),
            signature=request.headers.get("X-Twilio-Signature", ""),
        )
        if not valid:
            return JsonResponse({"error": BAD_SIGNATURE}, status=403)
    else:
        refused = _refused(request)
        if refused is not None:
            return refused
    post = request.POST
    if not post.get("From"):
        return JsonResponse({"error": NO_SENDER}, status=400)
    try:
        count = min(int(post.get("NumMedia") or 0), MAX_MMS)
    except ValueError:
        count = 0
    urls = [post[f"MediaUrl{i}"] for i in range(count) if post.get(f"MediaUrl{i}")]
    result = sms_receive(
        sender=post["From"],
        body=post.get("Body", ""),
        recipient=post.get("To", ""),
        provider_id=post.get("MessageSid") or post.get("SmsSid") or "",
        media_urls=urls,
    )
    return _twiml(result.reply)


# --- Development mailbox -------------------------------------------------------------------------


def dev_mailbox_required(view):
    """Only when DEV_MAILBOX is on (404 otherwise), and only for signed-in staff: it shows
    residents' addresses and numbers."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.DEV_MAILBOX:
            raise Http404
        return staff_required(view)(request, *args, **kwargs)

    return wrapper


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("notifications:dev_mailbox")
    return redirect(target or reverse("notifications:dev_mailbox"))


def _form_errors(request: HttpRequest, form) -> None:
    for error in (e for errors in form.errors.values() for e in errors):
        messages.error(request, error)


def _uploads(form) -> list[Attachment]:
    upload = form.cleaned_data.get("photo")
    if not upload:
        return []
    return [Attachment(upload.name or "", upload.content_type or "", upload.read())]


@require_GET
@dev_mailbox_required
def dev_mailbox(request: HttpRequest) -> HttpResponse:
    recipient = request.GET.get("to", "")
    channel = request.GET.get("channel", "")
    context = {
        "entries": dev_mailbox_list(recipient=recipient, channel=channel),
        "inbound": inbound_recent(sender=recipient),
        "to": recipient,
        "channel": channel,
        "channels": OutboxMessage.Channel.choices,
        "sms_form": MailboxSmsForm(),
    }
    return render(request, "notifications/dev_mailbox.html", context)


@require_POST
@dev_mailbox_required
def dev_mailbox_reply(request: HttpRequest, message_id: int) -> HttpResponse:
    """Answer one message as its recipient would: an email to the message's signed reply-to
    address, or a text message from the phone it went to. Same services as the webhooks."""
    message = get_object_or_404(OutboxMessage, pk=message_id)
    form = MailboxReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request)
    if message.channel == OutboxMessage.Channel.SMS:
        result = sms_receive(
            sender=message.recipient,
            body=form.cleaned_data["text"],
            recipient=settings.TWILIO_FROM_NUMBER,
            attachments=_uploads(form),
        )
        _sms_flash(request, result.inbound, result.reply)
        return _back(request)
    if not message.request_id or message.user_id is not None:
        messages.error(request, _("This message has no reply address."))
        return _back(request)
    inbound = inbound_email_receive(
        sender=message.recipient,
        recipients=[reply_address_make(request_id=message.request_id)],
        subject=f"Re: {message.subject}",
        text=form.cleaned_data["text"],
        attachments=_uploads(form),
    )
    _email_flash(request, inbound)
    return _back(request)


@require_POST
@dev_mailbox_required
def dev_mailbox_sms(request: HttpRequest) -> HttpResponse:
    """A new text message to the city's number, e.g. to try a text-message report."""
    form = MailboxSmsForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request)
    result = sms_receive(
        sender=str(form.cleaned_data["phone"]),
        body=form.cleaned_data["body"],
        recipient=settings.TWILIO_FROM_NUMBER,
        attachments=_uploads(form),
    )
    _sms_flash(request, result.inbound, result.reply)
    return _back(request)


def _email_flash(request: HttpRequest, inbound: InboundMessage) -> None:
    if inbound.outcome == InboundMessage.Outcome.THREADED:
        messages.success(
            request,
            _("Reply added to request %(number)s. %(note)s")
            % {"number": inbound.request.tracking_number, "note": inbound.reason},
        )
    else:
        messages.error(request, _("Reply refused: %(reason)s") % {"reason": inbound.reason})


def _sms_flash(request: HttpRequest, inbound: InboundMessage, reply: str) -> None:
    level = messages.ERROR if inbound.outcome == InboundMessage.Outcome.REJECTED else messages.INFO
    messages.add_message(
        request,
        level,
        _("%(outcome)s. 311 answered: “%(reply)s”")
        % {"outcome": inbound.get_outcome_display(), "reply": reply or "—"},
    )
