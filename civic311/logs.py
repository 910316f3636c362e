"""Structured logs: one JSON object per line on stdout (LOG_FORMAT=json), or plain text.

Every request gets one line from ``RequestLogMiddleware`` (method, path without query string and
with secret link tokens masked, status, duration). A
403 or 404 is that line plus Django's one-line warning, never a traceback: ``ClientErrorFilter``
drops the exception Django attaches to 4xx records. Tracebacks stay for real 5xx errors, inside
the JSON line's ``exc`` field so a log shipper keeps them whole.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

request_logger = logging.getLogger("civic311.request")

# LogRecord's own attributes: anything else on a record came from ``extra=`` and is logged.
_RECORD_FIELDS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
# Objects Django passes in ``extra`` that are not data (``request`` is an HttpRequest).
_SKIP_EXTRA = {"request", "server_time"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key in _RECORD_FIELDS or key in _SKIP_EXTRA or key.startswith("_"):
                continue
            entry[key] = value if isinstance(value, str | int | float | bool | None) else str(value)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class ClientErrorFilter(logging.Filter):
    """On ``django.request``: a 4xx is the client's mistake (or an attacker's probe), worth a
    line, not a stack trace."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


# URL parts that are secrets (private links, survey and unsubscribe links, password resets): a
# log line names them, never shows them.
SECRET_URL_KWARGS = ("token", "uidb64")


def loggable_path(request: HttpRequest) -> str:
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if any(secret in name for secret in SECRET_URL_KWARGS) and value:
                path = path.replace(str(value), f"<{name}>")
    return path


class RequestLogMiddleware:
    """One line per request. First in MIDDLEWARE, so the duration covers the whole stack."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        path = loggable_path(request)
        request_logger.info(
            "%s %s %s %sms",
            request.method,
            path,
            response.status_code,
            duration_ms,
            extra={
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
        return response
