"""Signed reply-to addresses: reply+<request id>.<signature>@<INBOUND_EMAIL_DOMAIN>.

An update email's Reply-To carries one; an inbound reply is threaded only if its signature checks
out, so nobody can add text to a request by guessing its number."""

from __future__ import annotations

import re

from django.conf import settings
from django.core import signing

SALT = "civic311.reply-to"
_ADDRESS = re.compile(r"reply\+(?P<token>[A-Za-z0-9_.:\-]+)@(?P<domain>[A-Za-z0-9.\-]+)", re.I)


def reply_address_make(*, request_id: int) -> str:
    # Signer output is "<value>:<sig>"; ":" is legal in a quoted local part but not everywhere,
    # so it is swapped for "." which the signature alphabet never uses.
    token = signing.Signer(salt=SALT).sign(str(request_id)).replace(":", ".")
    return f"reply+{token}@{settings.INBOUND_EMAIL_DOMAIN}"


def reply_address_parse(address: str) -> int | None:
    """The request id of a genuine reply address, or None (forged, unsigned, foreign domain)."""
    match = _ADDRESS.search(address or "")
    if not match or match["domain"].lower() != settings.INBOUND_EMAIL_DOMAIN.lower():
        return None
    value, _dot, signature = match["token"].rpartition(".")
    try:
        unsigned = signing.Signer(salt=SALT).unsign(f"{value}:{signature}")
    except signing.BadSignature:
        return None
    return int(unsigned) if unsigned.isdigit() else None
