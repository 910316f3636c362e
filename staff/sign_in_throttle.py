"""One throttle for every sign-in form (staff sign-in, Django admin), counted in the database.

Policy:
1. Each attempt is counted twice: for its (address, username) pair and for its address alone.
   The username is case-folded and stripped, so "AGENT" and "agent " are one user.
2. The count is taken BEFORE the password is checked, under a row lock (INSERT ... ON CONFLICT,
   then SELECT ... FOR UPDATE), so 25 parallel attempts check at most the limit.
3. A pair gets PAIR_LIMIT free attempts and an address ADDRESS_LIMIT (a call centre shares one
   address); past that each further attempt must wait BASE_DELAY, doubling each time, up to
   MAX_DELAY. Never a hard lock: the owner signing in from another address is not affected,
   and the password-reset link keeps working (and clears the user's pairs).
4. A successful sign-in clears its pair and refunds its own attempt on the address count.
5. A count untouched for RESET_AFTER starts again from zero.

It runs as the authentication backend (ModelBackend behind the throttle), so every
`authenticate(request, ...)` call is throttled: a refused attempt raises PermissionDenied,
which stops Django from trying the password, and leaves `request.sign_in_retry_after`
(seconds) for the view's 429 message."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from requests_app.permissions import staff_user_get
from staff.models import SignInThrottle

PAIR_LIMIT = 5
ADDRESS_LIMIT = 20
BASE_DELAY = timedelta(seconds=60)
MAX_DELAY = timedelta(hours=1)
RESET_AFTER = timedelta(hours=24)
ANY_USER = ""


def username_normalise(username: str) -> str:
    return unicodedata.normalize("NFKC", username or "").strip().casefold()


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR, not X-Forwarded-For: a client can write any forwarded-for header it likes.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _delay(attempts: int, limit: int) -> timedelta:
    return min(BASE_DELAY * (2 ** min(attempts - limit, 16)), MAX_DELAY)


def sign_in_attempt_reserve(*, address: str, username: str) -> int:
    """Count one attempt before its password is checked. Returns 0 if it may go ahead, else
    the seconds to wait (the attempt is then refused and not counted)."""
    username = username_normalise(username)
    keys = sorted({(address, username), (address, ANY_USER)})  # one lock order: no deadlocks
    now = timezone.now()
    with transaction.atomic():
        SignInThrottle.objects.bulk_create(
            [SignInThrottle(address=a, username=u, last_attempt_at=now) for a, u in keys],
            ignore_conflicts=True,
        )
        rows = list(
            SignInThrottle.objects.select_for_update()
            .filter(address=address, username__in={u for _, u in keys})
            .order_by("username")
        )
        wait = max(
            ((row.blocked_until - now).total_seconds() for row in rows if row.blocked_until),
            default=0,
        )
        if wait > 0:
            return max(1, int(wait + 0.999))
        for row in rows:
            if now - row.last_attempt_at > RESET_AFTER:
                row.attempts = 0
            row.attempts += 1
            row.last_attempt_at = now
            limit = ADDRESS_LIMIT if row.username == ANY_USER else PAIR_LIMIT
            row.blocked_until = now + _delay(row.attempts, limit) if row.attempts >= limit else None
            row.save(update_fields=["attempts", "last_attempt_at", "blocked_until"])
    return 0


def sign_in_succeeded(*, address: str, username: str) -> None:
    """The password was right: forget the pair and give the address its attempt back."""
    with transaction.atomic():
        SignInThrottle.objects.filter(
            address=address, username=username_normalise(username)
        ).exclude(username=ANY_USER).delete()
        row = (
            SignInThrottle.objects.select_for_update()
            .filter(address=address, username=ANY_USER)
            .first()
        )
        if row is not None and row.attempts > 0:
            row.attempts -= 1
            if row.attempts < ADDRESS_LIMIT:
                row.blocked_until = None
            row.save(update_fields=["attempts", "blocked_until"])


def sign_in_throttle_clear(*, username: str) -> None:
    """A password reset proves the owner: their pairs start again, from every address."""
    SignInThrottle.objects.filter(username=username_normalise(username)).exclude(
        username=ANY_USER
    ).delete()


class ThrottledModelBackend(ModelBackend):
    """Django's ModelBackend behind the throttle: it counts the attempt, and refuses it while
    the pair or address waits (PermissionDenied stops Django before the password is checked).
    One backend rather than a throttle-only one in front, so force_login and sessions keep
    working with the first backend listed."""

    def authenticate(self, request: HttpRequest | None, username=None, password=None, **kwargs):
        if request is not None and username is not None:
            address = client_address(request)
            wait = sign_in_attempt_reserve(address=address, username=username)
            if wait:
                request.sign_in_retry_after = wait
                raise PermissionDenied
            request.sign_in_reserved = (address, username)
        # Without a request (test client .login(), the shell) there is no address to count.
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        # Every signed-in page: the user with the staff profile and its departments in one
        # query (read fresh each time, so deactivation or a role change applies at once).
        user = staff_user_get(pk=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    reserved = getattr(request, "sign_in_reserved", None) if request is not None else None
    if reserved:
        sign_in_succeeded(address=reserved[0], username=reserved[1])
