"""How an outbox row leaves the building: one `Transport` per channel, all behind one interface.

`Transport.send(message)` returns the provider's message id, or raises
- `TransientSendError`: worth trying again later (network, timeouts, 4xx SMTP, HTTP 429/5xx);
- `PermanentSendError`: trying again cannot help (invalid address or number, the recipient
  unsubscribed at the provider). `opt_out=True` when the provider's answer means this address
  must not be messaged again; the sender then records an opt-out.

Email goes through Django's mailers (SMTP, file, locmem or an ESP backend such as django-anymail);
SMS through `sms_transport()`, chosen by settings.SMS_TRANSPORT."""

from __future__ import annotations

import base64
import json
import logging
import smtplib
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from notifications.models import OutboxMessage
from notifications.rendering import absolute_url
from notifications.replyto import reply_address_make

logger = logging.getLogger(__name__)

# Twilio error codes (https://www.twilio.com/docs/api/errors) that mean "never this number again".
TWILIO_INVALID_NUMBER = frozenset({21211, 21614})  # not a valid number / not a mobile number
TWILIO_UNSUBSCRIBED = 21610  # the recipient texted STOP to our number
TWILIO_TIMEOUT_S = 10


class SendError(Exception):
    pass


class TransientSendError(SendError):
    """Try again later."""


class PermanentSendError(SendError):
    """Do not try again. `opt_out`: the provider says the address is invalid or unsubscribed."""

    def __init__(self, message: str, *, opt_out: bool = False) -> None:
        super().__init__(message)
        self.opt_out = opt_out


class Transport:
    def send(self, message: OutboxMessage) -> str:
        """Deliver the message; return the provider's message id."""
        raise NotImplementedError


# --- Email -----------------------------------------------------------------------------------


def message_id_for(message: OutboxMessage) -> str:
    """A Message-ID derived from the outbox row: if a crash makes us send a row twice, the copies
    carry the same id, so mail clients and ESPs can recognise the duplicate."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "civic311.invalid"
    return f"<outbox-{message.pk}@{domain}>"


def unsubscribe_url(message: OutboxMessage) -> str:
    """The one-click unsubscribe link for a subscriber's message, or "" if none applies."""
    subscription = message.subscription
    if subscription is None or not subscription.token:
        return ""
    try:
        return absolute_url(reverse("notifications:unsubscribe", args=[subscription.token]))
    except NoReverseMatch:
        return ""


def reply_to_for(message: OutboxMessage) -> str:
    """Residents' messages about a request can be answered by email: their Reply-To is the signed
    address the inbound endpoint threads back onto the request. Staff messages (those naming a
    user) are not: a staff member's reply must never land on the request as the resident's."""
    if message.request_id is None or message.user_id is not None:
        return ""
    return reply_address_make(request_id=message.request_id)


def _smtp_code(exc: smtplib.SMTPResponseException) -> int:
    return int(getattr(exc, "smtp_code", 0) or 0)


class EmailTransport(Transport):
    def send(self, message: OutboxMessage) -> str:
        try:
            validate_email(message.recipient)
        except ValidationError as exc:
            raise PermanentSendError(f"Not a valid email address: {message.recipient}") from exc
        headers = {"Message-ID": message_id_for(message)}
        if url := unsubscribe_url(message):
            # RFC 8058 one-click: mail clients POST to the link without showing the page.
            headers["List-Unsubscribe"] = f"<{url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        reply_to = reply_to_for(message)
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            reply_to=[reply_to] if reply_to else None,
            headers=headers,
        )
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                raise PermanentSendError(
                    f"The mail server refused the address: {exc.recipients}", opt_out=True
                ) from exc
            raise TransientSendError(f"Recipient deferred: {exc.recipients}") from exc
        except (smtplib.SMTPAuthenticationError, smtplib.SMTPSenderRefused) as exc:
            # Our configuration, not the recipient: retry so a fixed setting still delivers.
            raise TransientSendError(f"SMTP configuration: {exc}") from exc
        except smtplib.SMTPResponseException as exc:
            if _smtp_code(exc) >= 500:
                raise PermanentSendError(f"The mail server rejected the message: {exc}") from exc
            raise TransientSendError(f"SMTP: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientSendError(f"{type(exc).__name__}: {exc}") from exc
        except Exception as exc:
            # django-anymail raises AnymailRecipientsRefused when the ESP rejects every recipient
            # (bounced, complained or unsubscribed there); anymail is optional, so match by name.
            if type(exc).__name__ == "AnymailRecipientsRefused":
                raise PermanentSendError(
                    f"The ESP refused the address: {exc}", opt_out=True
                ) from exc
            raise TransientSendError(f"{type(exc).__name__}: {exc}") from exc
        status = getattr(email, "anymail_status", None)
        return str(getattr(status, "message_id", "") or headers["Message-ID"])


# --- SMS -------------------------------------------------------------------------------------


class TwilioSmsTransport(Transport):
    """Twilio's Programmable Messaging REST API: one form POST per message, basic auth."""

    def __init__(
        self,
        *,
        account_sid: str | None = None,
        auth_token: str | None = None,
        from_number: str | None = None,
        api_base: str | None = None,
    ) -> None:
        self.account_sid = account_sid or settings.TWILIO_ACCOUNT_SID
        self.auth_token = auth_token or settings.TWILIO_AUTH_TOKEN
        self.from_number = from_number or settings.TWILIO_FROM_NUMBER
        self.api_base = (api_base or settings.TWILIO_API_BASE).rstrip("/")

    def send(self, message: OutboxMessage) -> str:
        if not (self.account_sid and self.auth_token and self.from_number):
            raise TransientSendError("Twilio is not configured (TWILIO_* settings).")
        url = f"{self.api_base}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        form = {"To": message.recipient, "From": self.from_number, "Body": message.body_text}
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        http_request = urllib.request.Request(  # noqa: S310 - the URL is our own setting
            url,
            data=urllib.parse.urlencode(form).encode(),
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(http_request, timeout=TWILIO_TIMEOUT_S) as response:  # noqa: S310
                body = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise self._error(exc.code, exc.read()) from exc
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise TransientSendError(f"Twilio unreachable: {exc}") from exc
        sid = body.get("sid") or ""
        if not sid:
            raise TransientSendError(f"Twilio answered without a message sid: {body}")
        return str(sid)

    @staticmethod
    def _error(status: int, raw: bytes) -> SendError:
        try:
            payload = json.loads(raw or b"{}")
        except ValueError:
            payload = {}
        code = payload.get("code") if isinstance(payload, dict) else None
        text = f"Twilio {status} (code {code}): {payload.get('message', '') if payload else raw!r}"
        if code in TWILIO_INVALID_NUMBER or code == TWILIO_UNSUBSCRIBED:
            return PermanentSendError(text, opt_out=True)
        if status == 429 or status >= 500 or status in (401, 403):
            # Rate limits and outages pass; bad credentials are ours to fix, then it delivers.
            return TransientSendError(text)
        return PermanentSendError(text)


class FileSmsTransport(Transport):
    """Development: one text file per message under SMS_FILE_PATH (the dev mailbox reads them)."""

    def __init__(self, path: str | None = None) -> None:
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, message: OutboxMessage) -> str:
        self.path.mkdir(parents=True, exist_ok=True)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        target = self.path / f"{stamp}-outbox-{message.pk}.txt"
        target.write_text(
            f"To: {message.recipient}\nFrom: {settings.TWILIO_FROM_NUMBER or 'civic311'}\n"
            f"Outbox-Id: {message.pk}\n\n{message.body_text}",
            encoding="utf-8",
        )
        return f"file-{target.name}"


class ConsoleSmsTransport(Transport):
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, message: OutboxMessage) -> str:
        self.stream.write(f"--- SMS to {message.recipient} ---\n{message.body_text}\n---\n")
        self.stream.flush()
        return f"console-{message.pk}"


@dataclass(frozen=True)
class SentSms:
    to: str
    body: str
    message_id: str


# Like django.core.mail.outbox: every SMS "sent" with SMS_TRANSPORT="locmem". Tests clear it.
outbox: list[SentSms] = []


class LocmemSmsTransport(Transport):
    def send(self, message: OutboxMessage) -> str:
        provider_id = f"locmem-{len(outbox) + 1}"
        outbox.append(SentSms(to=message.recipient, body=message.body_text, message_id=provider_id))
        return provider_id


SMS_TRANSPORTS: dict[str, type[Transport]] = {
    "twilio": TwilioSmsTransport,
    "file": FileSmsTransport,
    "console": ConsoleSmsTransport,
    "locmem": LocmemSmsTransport,
}


def sms_transport() -> Transport:
    name = settings.SMS_TRANSPORT
    if name not in SMS_TRANSPORTS:
        raise ValueError(f"Unknown SMS_TRANSPORT {name!r}: use one of {sorted(SMS_TRANSPORTS)}")
    return SMS_TRANSPORTS[name]()


def transport_for(channel: str) -> Transport:
    if channel == OutboxMessage.Channel.SMS:
        return sms_transport()
    return EmailTransport()
