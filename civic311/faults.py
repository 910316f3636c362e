"""What a visitor sees when a dependency fails: a clean, translated 503, never a traceback.

PostgreSQL down (stopped, restarting, failing over, out of connections) surfaces as
``OperationalError`` or ``InterfaceError`` wherever the first query happens. Two places catch it:

1. ``DatabaseUnavailableMiddleware.process_exception`` for everything raised inside a view (most
   cases: sessions, users and querysets are lazy, so the first query runs in the view);
2. ``server_error`` (``handler500``) for the rest (a middleware's own query, a session save
   after the view), which Django calls while the exception is still being handled.

Both render templates/503.html from a plain context: no context processor, no session, no user,
so the page needs nothing from the database. The work of the failed request is lost whole (every
write is in a transaction) and the page says so. Recovery needs nothing: Django discards a
connection that raised (``errors_occurred``), and ``CONN_HEALTH_CHECKS`` tests a persistent one
before reusing it, so the first request after PostgreSQL comes back gets a fresh connection.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.middleware.csrf import get_token
from django.template import loader
from django.utils.translation import get_language

logger = logging.getLogger("civic311.faults")

DATABASE_ERRORS = (OperationalError, InterfaceError)
# Seconds a client (or the proxy) should wait before trying again.
RETRY_AFTER = 60
DATABASE_DOWN_LOG = "database unavailable: %s %s (%s)"


def is_database_down(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_ERRORS)


def unavailable_response(request: HttpRequest | None) -> HttpResponse:
    """The 503 page, rendered without touching the database."""
    context = {
        "CITY_NAME": settings.CITY_NAME,
        "CITY_PHONE": settings.CITY_PHONE,
        "CITY_EMERGENCY_PHONE": settings.CITY_EMERGENCY_PHONE,
        "LANG": (get_language() or settings.LANGUAGE_CODE)[:2],
        "request": request,
        # The language switch posts a form; its token comes from the cookie, not the database.
        "csrf_token": get_token(request) if request is not None else "",
    }
    body = loader.render_to_string("503.html", context)
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    # A proxy or browser must not keep the outage page in place of the real one.
    response["Cache-Control"] = "no-store"
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
    """handler500: the 503 page when the uncaught exception is a database outage, else Django's
    own 500 page."""
    exc = sys.exc_info()[1]
    if is_database_down(exc):
        _log(request, exc)
        return unavailable_response(request)
    from django.views.defaults import server_error as default_server_error

    try:
        return default_server_error(request)
    except Exception:  # a broken 500.html must not hide the original error behind another
        return HttpResponseServerError("<h1>Server Error (500)</h1>", content_type="text/html")


class DatabaseUnavailableLogFilter(logging.Filter):
    """On the ``django.request`` logger: an outage that reached handler500 is already logged in
    one line by ``server_error``; drop Django's traceback for it."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not is_database_down(exc)
