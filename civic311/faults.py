"""What a visitor sees when something fails: a clean, translated page, never a traceback.

PostgreSQL down (stopped, restarting, failing over, out of connections) surfaces as
``OperationalError`` or ``InterfaceError`` wherever the first query happens. Two places catch it:

1. ``DatabaseUnavailableMiddleware.process_exception`` for everything raised inside a view (most
   cases: sessions, users and querysets are lazy, so the first query runs in the view);
2. ``server_error`` (``handler500``) for the rest (a middleware's own query, a session save
   after the view), which Django calls while the exception is still being handled.

Both render templates/503.html from a plain context (``plain_page``): no context processor, no
session, no user, so the page needs nothing from the database. Any other uncaught exception gets
templates/500.html from ``server_error``, rendered the same way: whatever broke (the database
included) cannot break the page that says so. The work of the failed request is lost whole (every
write is in a transaction) and the page says so. Recovery needs nothing: Django discards a
connection that raised (``errors_occurred``), and ``CONN_HEALTH_CHECKS`` tests a persistent one
before reusing it, so the first request after PostgreSQL comes back gets a fresh connection.

The same look for every refusal (issue 12): 400, 403 and 404 come from the handlers below (Django's
own would not say which site the page belongs to), and ``MethodNotAllowedMiddleware`` gives a 405
its page too (a GET on a POST-only address, a PUT anywhere). Under /staff/ each page wears the back
office's header (templates/staff/error_base.html) and offers the back office's way on.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import loader
from django.urls import NoReverseMatch, reverse
from django.utils import translation

logger = logging.getLogger("civic311.faults")

DATABASE_ERRORS = (OperationalError, InterfaceError)
# Seconds a client (or the proxy) should wait before trying again.
RETRY_AFTER = 60
DATABASE_DOWN_LOG = "database unavailable: %s %s (%s)"


# The methods the site takes anywhere; views narrow them further (require_GET, require_POST).
ALLOWED_METHODS = ("GET", "HEAD", "POST", "OPTIONS")


def error_context(request: HttpRequest | None) -> dict:
    """Which look an error page wears: the back office's under its address, else the resident
    site's. Reads only the path, so it serves the pages rendered without the database too."""
    try:
        staff_root = reverse("staff:queue")
    except NoReverseMatch:  # a urlconf without the back office (a test's)
        staff_root = None
    staff = bool(request is not None and staff_root and request.path.startswith(staff_root))
    return {"error_base": "staff/error_base.html" if staff else "base.html", "staff_error": staff}


def is_database_down(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_ERRORS)


def plain_page(request: HttpRequest | None, *, template_name: str, status: int) -> HttpResponse:
    """An error page rendered from a plain context, in the visitor's language: no context
    processor, session, user or query, so it renders while the database is down. Its templates
    (and base.html, which they extend) use only the names given here, ``{% url %}`` and
    ``{% static %}``."""
    # Read from the cookie or Accept-Language again: the failure may have come before
    # LocaleMiddleware activated the visitor's language.
    language = (
        translation.get_language_from_request(request)
        if request is not None
        else translation.get_language() or settings.LANGUAGE_CODE
    )
    with translation.override(language):
        context = {
            "CITY_NAME": settings.CITY_NAME,
            "CITY_PHONE": settings.CITY_PHONE,
            "CITY_EMERGENCY_PHONE": settings.CITY_EMERGENCY_PHONE,
            "LANG": language[:2],
            "request": request,
            # The language switch posts a form; its token comes from the cookie, not the database.
            "csrf_token": get_token(request) if request is not None else "",
            **error_context(request),
        }
        body = loader.render_to_string(template_name, context)
    response = HttpResponse(body, status=status)
    # A proxy or browser must not keep the error page in place of the real one.
    response["Cache-Control"] = "no-store"
    return response


def unavailable_response(request: HttpRequest | None) -> HttpResponse:
    """The 503 page, rendered without touching the database."""
    response = plain_page(request, template_name="503.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


def _log(request: HttpRequest | None, exc: BaseException) -> None:
    # One line, not a traceback: an outage is an operational event, and a traceback per request
    # would bury the logs. The first line of the driver's message says which (refused, timeout).
    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    method = request.method if request is not None else "-"
    path = request.path if request is not None else "-"
    logger.warning(DATABASE_DOWN_LOG, method, path, first_line[:200])


class DatabaseUnavailableMiddleware:
    """Turns a database outage inside a view into the 503 page (keep it near the top of
    MIDDLEWARE; process_exception runs for every view exception whatever its position)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_down(exception):
            return None
        _log(request, exception)
        return unavailable_response(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the 503 page when the uncaught exception is a database outage, else the 500
    page; both without the database."""
    exc = sys.exc_info()[1]
    if is_database_down(exc):
        _log(request, exc)
        return unavailable_response(request)
    try:
        return plain_page(request, template_name="500.html", status=500)
    except Exception:  # a broken 500.html must not hide the original error behind another
        return HttpResponseServerError("<h1>Server Error (500)</h1>", content_type="text/html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the 403 page with a hint to reload (a form left open past its token, a
    cookie blocked); Django's own page speaks of Referer headers to a resident. ``reason`` is
    Django's diagnosis, which it has logged already; it is not for the visitor."""
    return render(request, "403.html", {"csrf_failure": True, **error_context(request)}, status=403)


# handler400, handler403 and handler404: Django's own views with the look chosen by error_context.
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "400.html", error_context(request), status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", error_context(request), status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", error_context(request), status=404)


def method_not_allowed(request: HttpRequest, allowed: str) -> HttpResponse:
    """The 405 page, from the plain context (it may be answered before the session and the
    user are read), with the methods the address takes."""
    response = plain_page(request, template_name="405.html", status=405)
    response["Allow"] = allowed
    return response


class MethodNotAllowedMiddleware:
    """Gives a 405 the branded, translated page (issue 12): a method the site never takes (PUT,
    DELETE, PATCH...) is answered here, before the CSRF check would call it a refused form; a
    view's own refusal (require_POST's bare, empty 405) gets the page on its way out. Keep it
    after LocaleMiddleware (the visitor's language) and before CsrfViewMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ALLOWED_METHODS:
            return method_not_allowed(request, ", ".join(ALLOWED_METHODS))
        response = self.get_response(request)
        if response.status_code == 405 and not response.streaming and not response.content:
            return method_not_allowed(request, response.get("Allow", ""))
        return response


class DatabaseUnavailableLogFilter(logging.Filter):
    """On the ``django.request`` logger: an outage that reached handler500 is already logged in
    one line by ``server_error``; drop Django's traceback for it."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not is_database_down(exc)
