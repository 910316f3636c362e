from __future__ import annotations

import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, empty


class CityTimeZoneMiddleware:
    """Times are stored in UTC and shown (and typed) in the city's own zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.zone = ZoneInfo(settings.CITY_TIME_ZONE)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timezone.activate(self.zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class SessionRefreshMiddleware:
    """Keep a signed-in session alive while it is used, with at most one write per few minutes.

    SESSION_SAVE_EVERY_REQUEST would write the session row (an UPDATE and a commit, one WAL
    flush) on every page, the queue's 20-second refresh and its 304s included. Here a session
    that is used is saved when its last refresh is older than SESSION_REFRESH_SECONDS, which
    moves its expiry on by SESSION_COOKIE_AGE; so the idle timeout is SESSION_COOKIE_AGE give or
    take those few minutes. Visitors without a session (most residents) cost nothing: an empty
    session is never loaded. Sits just inside SessionMiddleware, whose response step saves what
    this one marks as modified."""

    KEY = "_refreshed"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # accessed: something read or wrote it, so it is loaded and loading costs nothing more.
        if session is not None and session.accessed and not session.is_empty():
            now = int(time.time())
            if (
                session.modified
                or now - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS
            ):
                session[self.KEY] = now
        return response


class PlainUserMiddleware:
    """Hand the views and templates the user itself instead of the lazy proxies around it.

    AuthenticationMiddleware puts the user behind a SimpleLazyObject and django-otp's middleware
    puts that behind a second one, so every `request.user.x` in a view, decorator, middleware or
    template went through two proxies (about 4 microseconds each time against 0.1; a staff page
    reads it dozens of times). Placed after TwoFactorMiddleware, which has already loaded the user
    for its check, so unwrapping loads nothing that was not loaded anyway; anything that signs in
    or out later (login, logout) still replaces `request.user` as before."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if type(user) is SimpleLazyObject:
            while type(user) is SimpleLazyObject:
                if user._wrapped is empty:
                    user._setup()
                user = user._wrapped
            request.user = user
        return self.get_response(request)
