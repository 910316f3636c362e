"""HTTP helpers every app's views share: the 303 redirect after a POST, the typed htmx request and
the check that a `next` value stays on this site.

Imports only Django and django-htmx, so any app may use it without depending on another app.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that has been through HtmxMiddleware, for annotations only (django-htmx's tip):
    type checkers then know `request.htmx` and its attributes."""

    htmx: HtmxDetails


def see_other(url: str) -> HttpResponseRedirect:
    """A 303 See Other to `url`: after a POST the browser follows it with a GET, so a reload or
    the back button never re-submits the form (a 302 leaves the method to the browser)."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def local_url(request: HttpRequest, url: str, *, default: str) -> str:
    """`url` when it is a path on this site, else `default`: for `next` values a visitor can
    write. Requiring a leading slash matters twice over: redirect() takes a bare word ("on",
    "27323") for a view name and fails to reverse it (a 500), and "//evil.example" is another
    host."""
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default
