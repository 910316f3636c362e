"""Clean every string that comes in, in one place.

PostgreSQL refuses NUL in text (a `DataError`, so a 500 on any page that searches or saves what
it was given), other C0 control characters are invisible junk that breaks emails and exports, and
a lone surrogate cannot be encoded for the database at all. None of them belongs in anything a
person types, so they are removed rather than the request refused: a resident whose phone slipped
a control character into a report still gets it filed, and an email or text message a provider
relays is still handled and logged instead of failing (and being retried) forever.

Kept: tab, newline and carriage return (text areas send CRLF). Invalid UTF-8 in a query string,
form or path is already replaced with U+FFFD by Django's decoding; surrogates (which only reach
us through Python-level decoding with `surrogateescape`) are removed here.

`SanitizeInputMiddleware` cleans the path, the query string, cookies, HTTP headers, the parsed
form body and uploaded file names of every request; `clean_text` is what it uses, and what the
inbound email and SMS entry points use on the text they parse out of a raw message.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, QueryDict

# C0 controls except \t \n \r, DEL, and the UTF-16 surrogate range.
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(value: str) -> str:
    """The string without NUL, other control characters (but tab and line breaks) or
    surrogates."""
    return _UNWANTED.sub("", value)


def clean_querydict(data: QueryDict) -> QueryDict:
    """A cleaned, immutable copy (the same object when there was nothing to clean)."""
    if not any(
        _UNWANTED.search(k) or any(_UNWANTED.search(v) for v in data.getlist(k)) for k in data
    ):
        return data
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        cleaned.setlistdefault(clean_text(key), []).extend(clean_text(v) for v in values)
    cleaned._mutable = False
    return cleaned


def clean_request(request: HttpRequest) -> None:
    """Clean what Django has read from the request so far, and arrange for the form body to be
    cleaned when (if ever) a view reads it: parsing it here would consume the body a view may
    want raw (the inbound email webhook reads `message/rfc822` itself) and would move an
    over-large upload's error out of the view that answers it."""
    request.path = clean_text(request.path)
    request.path_info = clean_text(request.path_info)
    request.GET = clean_querydict(request.GET)
    request.COOKIES = {clean_text(k): clean_text(v) for k, v in request.COOKIES.items()}
    for key, value in list(request.META.items()):
        if key.startswith("HTTP_") and isinstance(value, str):
            request.META[key] = clean_text(value)
    request.__dict__.pop("headers", None)  # re-read from the cleaned META if already cached

    load = request._load_post_and_files

    def load_and_clean() -> None:
        load()
        request._post = clean_querydict(request._post)
        for uploads in request._files.lists():
            for upload in uploads[1]:
                if upload.name:
                    upload.name = clean_text(upload.name)

    request._load_post_and_files = load_and_clean


class SanitizeInputMiddleware:
    """Early in MIDDLEWARE, so the locale, CSRF and session middleware already see clean
    values."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        clean_request(request)
        return self.get_response(request)
