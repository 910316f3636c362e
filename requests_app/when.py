"""Every date and time a person reads, in one place: in the city's zone and the reader's language.

The database and the code work in UTC; pages, emails, texts and staff screens show the city's
clock. A date taken from a UTC datetime is a day off for part of every day (2026-12-17 03:00 UTC
is the evening of 16 December in San Francisco), and a worker runs in UTC and English unless told
otherwise, so every formatter here converts to the zone itself (the city's, unless the caller
names another) and takes the language as an argument (the active one when left out).

The formats are Django's date syntax from the catalogue ("l j F Y", in Spanish
"l j \\d\\e F \\d\\e Y"), read by a small formatter of our own rather than Django's: the busiest
pages format dozens of times per render, and Django's parser was most of that time. Weekday and
month names come from Django's catalogues; the catalogue entry below says whether a language
writes them with a capital ("Wednesday 16 December 2026") or not ("miércoles 16 de diciembre de
2026": Django's Spanish catalogue capitalises weekdays, Spanish does not)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import translation
from django.utils.dates import MONTHS, MONTHS_3, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import pgettext

# `<time datetime="...">`'s format: what `|date:'Y-m-d\\TH:i:sO'` gives.
ISO_TIME = "%Y-%m-%dT%H:%M:%S%z"

# Styles: the day alone, or the day and the time ("16 Dec 2026, 19:00").
LONG, SHORT = "long", "short"
STYLES = (LONG, SHORT)

# Django date syntax, translated in the catalogue (languages order day and month their own way).
_LONG_DATE = "l j F Y"


@dataclass(frozen=True)
class _Words:
    """One language's names and formats, built once per process and language (the catalogues do
    not change while it runs)."""

    weekdays: tuple[str, ...]  # Monday first, as date.weekday() counts
    weekdays_abbr: tuple[str, ...]
    months: tuple[str, ...]  # index 1-12
    months_abbr: tuple[str, ...]
    long_date: tuple[tuple[str, str], ...]  # parsed "l j F Y"


_WORDS: dict[str, _Words] = {}


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def city_zone() -> ZoneInfo:
    """The city's time zone (settings.CITY_TIME_ZONE, from the city pack)."""
    return _zone(settings.CITY_TIME_ZONE)


def _parse(fmt: str) -> tuple[tuple[str, str], ...]:
    """Django date syntax as (kind, text) pairs: ("l", "") for a format letter, ("", "de") for
    literal text; a backslash makes the next character literal."""
    out: list[tuple[str, str]] = []
    escaped = False
    for ch in fmt:
        if not escaped and ch == "\\":
            escaped = True
        elif not escaped and ch in "dDjlFMmnYyHGi":
            out.append((ch, ""))
        else:
            escaped = False
            if out and out[-1][0] == "":
                out[-1] = ("", out[-1][1] + ch)
            else:
                out.append(("", ch))
    return tuple(out)


def _words(language: str) -> _Words:
    words = _WORDS.get(language)
    if words is not None:
        return words
    with translation.override(language):
        # Translators: "Title" or "lower": how this language writes weekday and month names in
        # the middle of a sentence ("Wednesday 16 December" / "el miércoles 16 de diciembre").
        lower = pgettext("case of weekday and month names in dates", "Title") == "lower"

        def case(name) -> str:
            text = str(name)
            return text.lower() if lower else text[:1].upper() + text[1:]

        words = _Words(
            weekdays=tuple(case(WEEKDAYS[d]) for d in range(7)),
            weekdays_abbr=tuple(case(WEEKDAYS_ABBR[d]) for d in range(7)),
            months=("", *(case(MONTHS[m]) for m in range(1, 13))),
            months_abbr=("", *(case(MONTHS_3[m]) for m in range(1, 13))),
            long_date=_parse(pgettext("long date format, Django date syntax", _LONG_DATE)),
        )
    _WORDS[language] = words
    return words


def _language(lang: str | None) -> str:
    return lang or translation.get_language() or settings.LANGUAGE_CODE


def when_local(value: datetime, *, tz: tzinfo | None = None) -> datetime:
    """An aware datetime on the reader's clock (the city's unless ``tz``). A naive one is taken
    as already local, as Django's `|date` takes it."""
    if value.tzinfo is None:
        return value
    return value.astimezone(tz or city_zone())


def _format(value: date, parsed: tuple[tuple[str, str], ...], words: _Words) -> str:
    out = []
    for kind, text in parsed:
        if not kind:
            out.append(text)
        elif kind == "j":
            out.append(str(value.day))
        elif kind == "d":
            out.append(f"{value.day:02d}")
        elif kind == "l":
            out.append(words.weekdays[value.weekday()])
        elif kind == "D":
            out.append(words.weekdays_abbr[value.weekday()])
        elif kind == "F":
            out.append(words.months[value.month])
        elif kind == "M":
            out.append(words.months_abbr[value.month])
        elif kind == "m":
            out.append(f"{value.month:02d}")
        elif kind == "n":
            out.append(str(value.month))
        elif kind == "Y":
            out.append(f"{value.year:04d}")
        elif kind == "y":
            out.append(f"{value.year % 100:02d}")
        elif not isinstance(value, datetime):
            continue  # a time letter in a date's format: nothing to show
        elif kind == "H":
            out.append(f"{value.hour:02d}")
        elif kind == "G":
            out.append(str(value.hour))
        else:  # "i"
            out.append(f"{value.minute:02d}")
    return "".join(out)


def when_date(
    value: datetime | date | None,
    *,
    lang: str | None = None,
    tz: tzinfo | None = None,
    style: str = LONG,
) -> str:
    """The day a person reads: "Wednesday 16 December 2026" / "miércoles 16 de diciembre de
    2026" (long), "16 Dec 2026" / "16 dic 2026" (short). The day is the one on the city's
    clock, not UTC's. "" for None."""
    if value is None or not isinstance(value, date):
        return ""
    if isinstance(value, datetime):
        value = when_local(value, tz=tz)
    words = _words(_language(lang))
    if style == LONG:
        return _format(value, words.long_date, words)
    return f"{value.day} {words.months_abbr[value.month]} {value.year:04d}"


def when_datetime(
    value: datetime | None,
    *,
    lang: str | None = None,
    tz: tzinfo | None = None,
    style: str = SHORT,
    year: bool = True,
) -> str:
    """The day and the time: "16 Dec 2026, 19:00" (short; "16 Dec, 19:00" without the year),
    "Wednesday 16 December 2026, 19:00" (long), on the city's clock. "" for None."""
    if not isinstance(value, datetime):
        return ""
    local = when_local(value, tz=tz)
    words = _words(_language(lang))
    if style == LONG:
        day = _format(local, words.long_date, words)
    elif year:
        day = f"{local.day} {words.months_abbr[local.month]} {local.year:04d}"
    else:
        day = f"{local.day} {words.months_abbr[local.month]}"
    return f"{day}, {local.hour:02d}:{local.minute:02d}"


def when_time(value: datetime | None, *, tz: tzinfo | None = None) -> str:
    """ "19:00" on the city's clock."""
    if not isinstance(value, datetime):
        return ""
    local = when_local(value, tz=tz)
    return f"{local.hour:02d}:{local.minute:02d}"


def when_iso(value: datetime | None, *, tz: tzinfo | None = None) -> str:
    """For `<time datetime="...">`: "2026-12-16T19:00:00-0800", with the city's offset."""
    if not isinstance(value, datetime):
        return ""
    return when_local(value, tz=tz).strftime(ISO_TIME)
