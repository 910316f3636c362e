"""The SMS provider (Twilio): webhook signatures and MMS pictures, fetched from the provider only
when a message turns out to need them. Used by the SMS webhook and the text-message report."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from notifications.inbound.replies import Attachment

logger = logging.getLogger(__name__)

MEDIA_TIMEOUT_SECONDS = 10


# --- Signatures and media -------------------------------------------------------------------------


def twilio_signature(*, url: str, params: dict[str, list[str]], auth_token: str) -> str:
    """X-Twilio-Signature: base64 HMAC-SHA1 of the full URL followed by every POST parameter
    name and value, sorted by name."""
    payload = url + "".join(
        name + value for name in sorted(params) for value in sorted(params[name])
    )
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_signature_valid(*, url: str, params: dict[str, list[str]], signature: str) -> bool:
    expected = twilio_signature(url=url, params=params, auth_token=settings.TWILIO_AUTH_TOKEN)
    return hmac.compare_digest(expected, signature or "")


class _DropAuthOnOtherHost(urllib.request.HTTPRedirectHandler):
    """Twilio redirects media to a storage host with its own signed URL: the account
    credentials must not follow it there."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and urlsplit(newurl).hostname != urlsplit(req.full_url).hostname:
            new.remove_header("Authorization")
        return new


def sms_media_fetch(*, url: str) -> Attachment | None:
    """Download one MMS picture from the provider, or None.

    Only URLs under TWILIO_API_BASE are fetched (the webhook is authenticated, but a stray URL must
    not make the server fetch arbitrary addresses); tests point TWILIO_API_BASE at a local server.
    Basic auth with the account SID and token, a short timeout and the photo size limit."""
    base = settings.TWILIO_API_BASE.rstrip("/") + "/"
    if not url.startswith(base):
        logger.warning("not fetching MMS media outside TWILIO_API_BASE: %s", url)
        return None
    request = urllib.request.Request(url)  # noqa: S310 - scheme checked via TWILIO_API_BASE
    if settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN:
        token = f"{settings.TWILIO_ACCOUNT_SID}:{settings.TWILIO_AUTH_TOKEN}".encode()
        request.add_header("Authorization", "Basic " + base64.b64encode(token).decode())
    opener = urllib.request.build_opener(_DropAuthOnOtherHost)
    try:
        with opener.open(request, timeout=MEDIA_TIMEOUT_SECONDS) as response:
            data = response.read(settings.PHOTO_MAX_BYTES + 1)
            content_type = response.headers.get_content_type()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        logger.warning("fetching MMS media %s failed: %s", url, exc)
        return None
    if len(data) > settings.PHOTO_MAX_BYTES:
        return None
    return Attachment(name="mms.jpg", content_type=content_type, data=data)


@dataclass
class Media:
    """MMS pictures, fetched only when the message turns out to need them."""

    urls: Sequence[str] = ()
    attachments: Sequence[Attachment] = ()

    def __bool__(self) -> bool:
        return bool(self.urls or self.attachments)

    def fetch(self) -> list[Attachment]:
        fetched = [sms_media_fetch(url=url) for url in self.urls]
        return [*self.attachments, *(a for a in fetched if a is not None)]
