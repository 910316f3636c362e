"""Address text helpers shared by the address importer and address search.

Pure functions with no Django imports, so data-preparation scripts can use them too.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = re.compile(r"['’‘`´]")
# Everything except letters, digits, whitespace, '&' and '-' becomes a space.
_PUNCTUATION = re.compile(r"[^\w\s&-]|_")
_SPACES = re.compile(r"\s+")


def address_normalize(text: str) -> str:
    """The form address search compares: upper case, accents and punctuation removed except '&'
    and '-', whitespace collapsed. `"  O'Farrell St., #3"` → `"OFARRELL ST 3"`.

    Apostrophes are dropped rather than spaced so "O'Farrell" still matches "Ofarrell"; accents are
    dropped so a resident typing without them ("Nino") finds "Niño"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = _APOSTROPHES.sub("", plain)
    plain = _PUNCTUATION.sub(" ", plain)
    return _SPACES.sub(" ", plain).strip().upper()
