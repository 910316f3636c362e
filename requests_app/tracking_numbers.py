"""Tracking numbers as people type them.

A tracking number is ``YYMM-N``: the year and month it was filed in the city's zone, a hyphen,
and four random digits (more after clashes in a busy month, at most eight: see
services.intake._insert_with_tracking_number). People copy it from an email, read it out over
the phone or type it on a phone's number pad, which has no hyphen on an iPhone. So the hyphen
carries no information: every box where a tracking number is typed (the resident's Find box and
tracker address, the staff queue's search, the staff request page, the duplicate and attach
fields, the admin's search) goes through ``tracking_number_normalise`` and accepts the digits
with any separator or none."""

from __future__ import annotations

import unicodedata

# Digits after the year and month: four, up to eight after clashes.
NUMBER_DIGITS_MIN = 4
NUMBER_DIGITS_MAX = 8
# Longer text is not a tracking number however it is spaced; checked before looking at it.
TYPED_MAX = 40


def tracking_number_format(*, digits: str) -> str:
    """``YYMM-N`` from the digits alone (the one place the hyphen goes in)."""
    return f"{digits[:4]}-{digits[4:]}"


def tracking_number_normalise(*, text: str | None) -> str | None:
    """The tracking number in what someone typed, as stored (``2612-4827``), or None when the
    text cannot be one, so the caller says "not found" without asking the database.

    1. Anything that is neither a letter nor a digit is a separator and dropped: spaces, any
       hyphen or dash (en dash, minus sign), dots, slashes, a leading "#", control characters.
    2. Any letter means it is not a tracking number (an address, words of a description).
    3. Digits from any script count (full-width "２６１２", Arabic-Indic), as their value.
    4. What is left must be the four digits of a year and month (01-12) and then four to eight
       digits."""
    if not text or len(text) > TYPED_MAX:
        return None
    digits = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Nd":
            digits.append(str(unicodedata.decimal(char)))
        elif category[0] in "LN":
            return None
    number = "".join(digits)
    if not 4 + NUMBER_DIGITS_MIN <= len(number) <= 4 + NUMBER_DIGITS_MAX:
        return None
    if not 1 <= int(number[2:4]) <= 12:
        return None
    return tracking_number_format(digits=number)
