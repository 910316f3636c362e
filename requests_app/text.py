"""Text a resident typed, made safe to repeat in a message to someone else.

The location of a report is free text when a pin is dropped (the address box keeps what was
typed), and it is repeated in receipts and staff alerts. Whoever types it must not be able to put
a clickable link, a fake second paragraph or reversed text (a right-to-left override) into an
email or a text message that the city sends."""

from __future__ import annotations

import re
import unicodedata

LOCATION_MESSAGE_MAX = 200

# A scheme ("https://", "javascript:"), or a dotted name ending in letters ("evil.example",
# "www.x.co"): what mail programs and phones turn into links by themselves.
_SCHEME = re.compile(
    r"(?i)\b([a-z][a-z0-9+.-]{1,20}):(//)|\b(javascript|data|vbscript|mailto|tel|sms|file):()"
)
_DOTTED = re.compile(r"(?i)\b((?:[a-z0-9-]+\.)+)([a-z]{2,})\b")
# Control characters (Cc), invisible formatting ones such as the bidirectional overrides and
# zero-width joiners (Cf), and line/paragraph separators (Zl, Zp).
_DROP = {"Cf"}
_SPACE = {"Cc", "Zl", "Zp"}


def location_for_message(text: str, *, max_length: int = LOCATION_MESSAGE_MAX) -> str:
    """One line of at most ``max_length`` characters: no control or direction-changing
    characters, no line breaks, and nothing a mail program would make into a link (the dots and
    colons of anything link-like are written as "[.]" and "[:]")."""
    text = unicodedata.normalize("NFC", str(text or "")[: max_length * 5])
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category in _DROP:
            continue
        kept.append(" " if category in _SPACE else char)
    text = " ".join("".join(kept).split())
    text = _SCHEME.sub(lambda m: f"{m.group(1) or m.group(3)}[:]{m.group(2) or ''}", text)
    text = _DOTTED.sub(lambda m: m.group(1).replace(".", "[.]") + m.group(2), text)
    if len(text) > max_length:
        text = text[: max_length - 1].rstrip() + "…"
    return text


def location_clean(text: str) -> str:
    """What is stored: the typed location on one line, without control or invisible
    direction-changing characters (links stay as typed; pages escape them and never link)."""
    kept = []
    for char in unicodedata.normalize("NFC", str(text or "")):
        category = unicodedata.category(char)
        if category in _DROP:
            continue
        kept.append(" " if category in _SPACE else char)
    return " ".join("".join(kept).split())
