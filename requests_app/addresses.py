"""Address text helpers shared by the address importer, the city-pack places and address search.

Pure functions with no Django imports, so data-preparation scripts can use them too.

One normaliser serves both sides: stored labels and what people type go through
`address_normalize`, so "1 Doctor Carlton B. Goodlett Place", "1 dr carlton b goodlett pl" and
"1 Dr Carlton B Goodlett Pl" compare equal, as do "Third Street"/"3rd St" and "Calle Valencia"/
"Valencia St". `address_query_parse` then reads a query as a house number and street, or as an
intersection in either language ("Valencia & 16th", "esquina de Valencia y 16").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_APOSTROPHES = re.compile(r"['’‘`´]")
# Units are not in the address points: "#3", "Apt 3", "Unit B", "Depto 2" are dropped.
_UNIT = re.compile(
    r"(#\s*\w+)|\b(APT|APARTMENT|UNIT|STE|SUITE|FL|FLOOR|RM|ROOM|DEPTO|DEPARTAMENTO|"
    r"APARTAMENTO|PISO|INTERIOR)\b\.?\s*#?\s*[\w-]+",
    re.IGNORECASE,
)
# "/" and "@" separate two streets ("Valencia / 16th", "Valencia @ 16th").
_SLASH = re.compile(r"\s*[/@+]\s*")
# Everything except letters, digits, whitespace, '&' and '-' becomes a space.
_PUNCTUATION = re.compile(r"[^\w\s&-]|_")
_SPACES = re.compile(r"\s+")
_ORDINAL = re.compile(r"^(\d{1,3})(ST|ND|RD|TH|RA|ER|VA|NA|TA|MA)$")

# Street types and their one spelling (the abbreviations the address files use).
STREET_TYPES: dict[str, str] = {
    "STREET": "ST", "STR": "ST", "ST": "ST",
    "AVENUE": "AVE", "AVE": "AVE", "AV": "AVE",
    "BOULEVARD": "BLVD", "BLVD": "BLVD", "BL": "BLVD",
    "DRIVE": "DR", "DR": "DR", "DOCTOR": "DR",
    "PLACE": "PL", "PL": "PL",
    "COURT": "CT", "CT": "CT",
    "TERRACE": "TER", "TERR": "TER", "TER": "TER",
    "WAY": "WAY", "WY": "WAY",
    "ROAD": "RD", "RD": "RD",
    "LANE": "LN", "LN": "LN",
    "ALLEY": "ALY", "ALY": "ALY",
    "PLAZA": "PLZ", "PLZ": "PLZ",
    "CIRCLE": "CIR", "CIR": "CIR",
    "HIGHWAY": "HWY", "HWY": "HWY",
    "PARKWAY": "PKWY", "PKWY": "PKWY",
    "CENTER": "CTR", "CENTRE": "CTR", "CTR": "CTR",
    "WALK": "WALK", "ROW": "ROW", "LOOP": "LOOP",
}  # fmt: skip
_TYPE_VALUES = frozenset(STREET_TYPES.values()) - {"DR"}  # "Dr Carlton B Goodlett Pl": DR leads
# Spanish puts the type first: "Calle Valencia", "Avenida 16".
_SPANISH_TYPES = {"CALLE": "ST", "AVENIDA": "AVE", "AVDA": "AVE", "BULEVAR": "BLVD"}
DIRECTIONS: dict[str, str] = {
    "NORTH": "N", "SOUTH": "S", "EAST": "E", "WEST": "W", "NORTE": "N", "SUR": "S", "OESTE": "W",
    "NORTHEAST": "NE", "NORTHWEST": "NW", "SOUTHEAST": "SE", "SOUTHWEST": "SW",
}  # fmt: skip
_SPELLED = [
    "FIRST",
    "SECOND",
    "THIRD",
    "FOURTH",
    "FIFTH",
    "SIXTH",
    "SEVENTH",
    "EIGHTH",
    "NINTH",
    "TENTH",
    "ELEVENTH",
    "TWELFTH",
    "THIRTEENTH",
    "FOURTEENTH",
    "FIFTEENTH",
    "SIXTEENTH",
    "SEVENTEENTH",
    "EIGHTEENTH",
    "NINETEENTH",
    "TWENTIETH",
]
_SPELLED_ES = [
    "PRIMERA",
    "SEGUNDA",
    "TERCERA",
    "CUARTA",
    "QUINTA",
    "SEXTA",
    "SEPTIMA",
    "OCTAVA",
    "NOVENA",
    "DECIMA",
]
# Words that join two streets, and words that only announce an intersection.
_JOINERS = frozenset({"&", "AND", "Y", "AT"})
_LEADERS = (("CORNER", "OF"), ("ESQUINA", "DE"), ("INTERSECTION", "OF"), ("CRUCE", "DE"))
MAX_QUERY = 200
# Without a joiner, "valencia 16th" may still be two streets: try each split of a short query.
MAX_SPLIT_WORDS = 6


def ordinal(n: int) -> str:
    """1 → 1ST, 2 → 2ND, 11 → 11TH, 23 → 23RD."""
    suffix = "TH" if 10 <= n % 100 <= 20 else {1: "ST", 2: "ND", 3: "RD"}.get(n % 10, "TH")
    return f"{n}{suffix}"


_WORDS: dict[str, str] = {
    **STREET_TYPES,
    **DIRECTIONS,
    **{w: ordinal(i) for i, w in enumerate(_SPELLED, start=1)},
    **{w: ordinal(i) for i, w in enumerate(_SPELLED_ES, start=1)},
}


def _plain(text: str) -> str:
    """Upper case, no accents, no units, no punctuation except '&' and '-', single spaces."""
    text = (text or "")[: MAX_QUERY * 2].replace("\x00", " ")
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = _APOSTROPHES.sub("", plain)
    plain = _UNIT.sub(" ", plain)
    plain = _SLASH.sub(" & ", plain)
    plain = _PUNCTUATION.sub(" ", plain)
    return _SPACES.sub(" ", plain).strip().upper()


def _word(token: str) -> str:
    match = _ORDINAL.match(token)
    if match:
        return ordinal(int(match.group(1)))
    return _WORDS.get(token, token)


def address_normalize(text: str) -> str:
    """The form address search compares: upper case, accents, units and punctuation removed
    except '&' and '-', street types, directions and ordinals in one spelling.
    `"  O'Farrell Street, #3"` → `"OFARRELL ST"`; `"Third Avenue"` → `"3RD AVE"`.

    Apostrophes are dropped rather than spaced so "O'Farrell" still matches "Ofarrell"; accents are
    dropped so a resident typing without them ("Nino") finds "Niño"."""
    return " ".join(_word(t) for t in _plain(text).split())[:MAX_QUERY]


@dataclass(frozen=True)
class Street:
    """A street's name without its type ("VALENCIA", "16TH", "DR CARLTON B GOODLETT") and the
    type when one was given ("ST")."""

    name: str
    type: str = ""


def street_read(words: list[str]) -> Street | None:
    """A street from normalized words: a Spanish leading type moves to the end, a bare number is
    an ordinal ("Valencia y 16"), a trailing type is split off."""
    words = [w for w in words if w]
    if words and words[0] in _SPANISH_TYPES and len(words) > 1:
        words = [*words[1:], _SPANISH_TYPES[words[0]]]
    words = [ordinal(int(w)) if w.isdigit() and 0 < int(w) <= 200 else w for w in words]
    kind = ""
    if len(words) > 1 and words[-1] in _TYPE_VALUES | {"DR"}:
        kind = words.pop()
    if not words:
        return None
    return Street(" ".join(words), kind)


@dataclass
class AddressQuery:
    """What a person typed, read every way it can mean: the normalized text, a house number and
    street, and the pairs of streets an intersection may be."""

    text: str
    number: int | None = None
    street: Street | None = None
    pairs: list[tuple[Street, Street]] = field(default_factory=list)
    # A joiner ("&", "y", "at"...) was typed: the person means an intersection.
    explicit: bool = False


def _house_number(word: str) -> int | None:
    digits = re.match(r"^(\d{1,6})[A-Z]?$", word)
    return int(digits.group(1)) if digits else None


def address_query_parse(query: str) -> AddressQuery | None:
    """Read a query (or a stored label). None when nothing searchable is left ("&", emoji).

    1. Normalize; drop "corner of" / "esquina de".
    2. A joiner word splits it into two streets (an explicit intersection).
    3. Else a leading number is the house number and the rest the street; a Spanish
       "Calle Valencia 100" puts the number last.
    4. Without a number or joiner, a short query is also tried as every split into two streets."""
    text = address_normalize(query)
    words = text.split()
    for first, second in _LEADERS:
        if words[:2] == [first, second]:
            words = words[2:]
    words = [w for w in words if w != "-"]
    if not any(any(ch.isalnum() for ch in w) for w in words):
        return None
    text = " ".join(words)
    parsed = AddressQuery(text=text)
    joints = [i for i, w in enumerate(words) if w in _JOINERS and 0 < i < len(words) - 1]
    if joints:
        i = joints[0]
        a, b = street_read(words[:i]), street_read(words[i + 1 :])
        if a and b:
            parsed.pairs.append((a, b))
            parsed.explicit = True
            return parsed
    if words[0] in _SPANISH_TYPES and len(words) > 2 and _house_number(words[-1]) is not None:
        words = [words[-1], *words[:-1]]
    number = _house_number(words[0])
    if number is not None and len(words) > 1:
        parsed.number = number
        parsed.street = street_read(words[1:])
        return parsed
    parsed.street = street_read(words)
    if number is None and 1 < len(words) <= MAX_SPLIT_WORDS:
        for i in range(1, len(words)):
            a, b = street_read(words[:i]), street_read(words[i:])
            if a and b and not {a.name, b.name} & _TYPE_VALUES:
                parsed.pairs.append((a, b))
    return parsed


@dataclass(frozen=True)
class AddressFields:
    """The columns address search reads, derived from a point's label (and aliases)."""

    normalized: str
    search: str
    number: int | None
    street: str
    cross_street: str


def address_fields(*, label: str, kind: str, aliases: list[str] | None = None) -> AddressFields:
    """Derive the stored search columns of an address point. An intersection's label ("16th St &
    Valencia St") gives both streets; an address's ("100 Valencia St") its number and street; a
    place's aliases may hold its street address, which then gives the number and street so
    "1 Dr Carlton B Goodlett Pl" finds City Hall."""
    normalized = address_normalize(label)
    names = [normalized, *(address_normalize(a) for a in aliases or [])]
    search = " | ".join(dict.fromkeys(n for n in names if n))[:600]
    number, street, cross = None, "", ""
    for name in names if kind == "place" else [normalized]:
        parsed = address_query_parse(name)
        if parsed is None:
            continue
        if parsed.explicit and kind != "address":
            street, cross = parsed.pairs[0][0].name, parsed.pairs[0][1].name
            break
        if parsed.number is not None and parsed.street:
            number, street = min(parsed.number, 2**31 - 1), parsed.street.name
            break
        if kind != "place" and parsed.street:
            street = parsed.street.name
    return AddressFields(normalized[:200], search, number, street[:120], cross[:120])
