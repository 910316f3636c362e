"""The site's URLs plus three views that fail on purpose, for the error page tests (pytest's
``urls`` mark). The handlers come from the site's own urlconf, as in production."""

from __future__ import annotations

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from civic311.urls import handler400, handler403, handler404, handler500
from civic311.urls import urlpatterns as site_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def refuses(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def cannot_read(request: HttpRequest) -> HttpResponse:
    raise BadRequest


def crashes(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug, not an outage")


urlpatterns = [
    path("test-errors/403/", refuses),
    path("test-errors/400/", cannot_read),
    path("test-errors/500/", crashes),
    path("staff/test-errors/500/", crashes),
    *site_urlpatterns,
]
