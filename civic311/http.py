"""HTTP helpers every app's views share: the 303 redirect after a POST and the typed htmx request.

Imports only Django and django-htmx, so any app may use it without depending on another app.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
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
