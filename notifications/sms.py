"""Text messages that fit: GSM-7 where possible, at most two segments, the tracking link whole.

A GSM-7 message holds 160 characters in one segment, 153 per segment once split (the rest is the
concatenation header); characters from the GSM extension table (€ [ ] { } ^ ~ | \\ and form feed)
take two. Anything outside GSM-7 (an emoji, "á") switches the whole message to UCS-2: 70 code
units in one segment, 67 per segment once split.

Spanish needs few characters outside GSM-7: é ñ ü ¿ ¡ are in it, á í ó ú (and their capitals)
are not. `sms_fit` drops those accents (and turns typographic quotes, dashes and ellipses into
plain ones) only when that makes the whole text GSM-7: "Recibimos su reporte numero..." still
reads as meant, and costs one segment instead of three. If other characters would still need
UCS-2 (a name in another script, an emoji), the text is kept exactly as written, in UCS-2, and
shortened to fit instead."""

from __future__ import annotations

import math

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

# Replacements that keep the meaning: unaccented vowels read the same in Spanish, and typography
# has plain equivalents. Only used when the result is entirely GSM-7.
TRANSLITERATION = str.maketrans(
    {
        "á": "a",
        "í": "i",
        "ó": "o",
        "ú": "u",
        "Á": "A",
        "Í": "I",
        "Ó": "O",
        "Ú": "U",
        "ç": "Ç",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
        "…": "...",
        "\u00a0": " ",
    }
)


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _units(text: str, gsm: bool) -> list[int]:
    """The size of each character in its encoding: septets for GSM-7, UTF-16 units for UCS-2."""
    if gsm:
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def segments(text: str) -> int:
    """How many SMS segments the text needs (0 for an empty text). A character never straddles
    two segments (an escape pair or a surrogate pair moves whole to the next one)."""
    if not text:
        return 0
    gsm = is_gsm7(text)
    units = _units(text, gsm)
    single, part = (GSM7_SINGLE, GSM7_PART) if gsm else (UCS2_SINGLE, UCS2_PART)
    total = sum(units)
    if total <= single:
        return 1
    if all(u == 1 for u in units):
        return math.ceil(total / part)
    count, used = 1, 0
    for unit in units:
        if used + unit > part:
            count, used = count + 1, 0
        used += unit
    return count


def sms_transliterate(text: str) -> str:
    """The GSM-7 spelling of the text if dropping accents and typography gets it there, else the
    text unchanged."""
    if is_gsm7(text):
        return text
    plain = text.translate(TRANSLITERATION)
    return plain if is_gsm7(plain) else text


def sms_fit(text: str, *, link: str, max_segments: int = 2) -> str:
    """The text and the link, joined by a space, in at most `max_segments` segments.

    1. Prefer GSM-7: transliterate when that makes the whole message GSM-7.
    2. If it is still too long, cut the text at a word boundary and add an ellipsis ("..." in
       GSM-7, "…" in UCS-2); the link is never cut.
    If the link alone does not fit, the link is returned alone."""
    text = " ".join(text.split())
    link = link.strip()
    joined = f"{text} {link}" if text else link
    message = sms_transliterate(joined)
    if segments(message) <= max_segments:
        return message
    gsm = is_gsm7(message)
    ellipsis = "..." if gsm else "…"
    body = sms_transliterate(text) if gsm else text
    if segments(f"{ellipsis} {link}") > max_segments:
        return link

    def candidate(length: int) -> str:
        cut = body[:length]
        if length < len(body) and " " in cut:
            cut = cut.rsplit(" ", 1)[0]  # whole words only
        return f"{cut.rstrip(' ,.;:-')}{ellipsis} {link}"

    # The longest prefix that still fits (fitting is monotonic in the prefix length).
    low, high = 0, len(body)
    while low < high:
        mid = (low + high + 1) // 2
        if segments(candidate(mid)) <= max_segments:
            low = mid
        else:
            high = mid - 1
    return candidate(low)
