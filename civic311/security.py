"""Safe defaults for a site on the internet.

- `secrets_problems`: run by settings.py at import, so every entry point (gunicorn, qcluster,
  manage.py) refuses to start in production with a secret an attacker could know. A system check
  would not do: gunicorn never runs the checks.
- `NoStoreMiddleware` / `no_store`: pages with a resident's contact details, private links or
  staff work must not be kept by a shared computer's browser cache or by a proxy.
- `PathCspMiddleware`: a few pages need a different Content-Security-Policy (the admin's map
  widget loads OpenLayers from its CDN; email previews need the emails' inline styles).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps

# Django's own deploy check asks for the same (security.W009).
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE = 5
INBOUND_SECRET_MIN_LENGTH = 24
# Fallbacks this repository once shipped: anyone can read them, so they sign nothing.
PUBLIC_SECRETS = frozenset(
    {
        "dev-only-insecure-key-change-me-in-production-0123456789abcdef",
        "build-only-dummy-key",
    }
)

MAKE_A_SECRET = 'python3 -c "import secrets; print(secrets.token_urlsafe(50))"'  # noqa: S105
SECRET_KEY_MISSING = (
    "DJANGO_SECRET_KEY is not set. With DEBUG off the site will not start without one: it signs "
    "sessions, password-reset links and reply-to addresses. `make setup` writes a random one to "
    f".env; in production set it in the environment (make one with: {MAKE_A_SECRET})."
)
SECRET_KEY_PUBLIC = (
    "DJANGO_SECRET_KEY is a value published in the civic311 repository: anyone could forge "
    f"sessions and reply-to addresses with it. Set a random one (make one with: {MAKE_A_SECRET})."
)
SECRET_KEY_WEAK = (
    f"DJANGO_SECRET_KEY is too weak: it needs at least {SECRET_KEY_MIN_LENGTH} characters, "
    f"{SECRET_KEY_MIN_UNIQUE} of them different (make one with: {MAKE_A_SECRET})."
)
INBOUND_SECRET_WEAK = (
    f"INBOUND_SECRET is too short: use at least {INBOUND_SECRET_MIN_LENGTH} random characters "
    f"(make one with: {MAKE_A_SECRET})."
)
WEBHOOKS_OPEN = (
    "DEV_MAILBOX is on with DEBUG off and no INBOUND_SECRET: the inbound email and SMS webhooks "
    "would accept unsigned posts from anyone. Set INBOUND_SECRET, or turn DEV_MAILBOX off."
)


def secrets_problems(
    *, debug: bool, secret_key: str, inbound_secret: str, dev_mailbox: bool
) -> list[str]:
    """Why this configuration must not serve, or [] when it may. Development (DEBUG) may do
    anything: it is never on the internet."""
    if debug:
        return []
    problems = []
    if not secret_key:
        problems.append(SECRET_KEY_MISSING)
    elif secret_key in PUBLIC_SECRETS:
        problems.append(SECRET_KEY_PUBLIC)
    elif (
        len(secret_key) < SECRET_KEY_MIN_LENGTH
        or len(set(secret_key)) < SECRET_KEY_MIN_UNIQUE
        or secret_key.startswith("django-insecure-")
    ):
        problems.append(SECRET_KEY_WEAK)
    if inbound_secret and (
        len(inbound_secret) < INBOUND_SECRET_MIN_LENGTH or inbound_secret in PUBLIC_SECRETS
    ):
        problems.append(INBOUND_SECRET_WEAK)
    if dev_mailbox and not inbound_secret:
        problems.append(WEBHOOKS_OPEN)
    return problems


# --- Cache-Control: no-store ------------------------------------------------------------------

# Pages under these prefixes show staff work or residents' contact details, or are reached by a
# private link (its token is the only key): never cached by a browser or a proxy.
NO_STORE_PREFIXES = (
    "/staff/",
    "/admin/",
    "/dev/",
    "/requests/private/",
    "/requests/submitted/",
    "/follow/confirm/",
    "/unsubscribe/",
    "/survey/",
)


# What add_never_cache_headers and patch_cache_control(private=True) give a response that has no
# caching headers yet (tests/test_security_headers.py compares the two).
NO_STORE = "max-age=0, no-cache, no-store, must-revalidate, private"


def _no_store(response):
    from django.utils.cache import add_never_cache_headers, patch_cache_control
    from django.utils.http import http_date

    if not response.get("Cache-Control") and not response.has_header("Expires"):
        # Every signed-in page and queue poll comes here: writing the two headers is ~35
        # microseconds cheaper than parsing and rebuilding Cache-Control three times.
        response.headers["Expires"] = http_date(time.time())
        response.headers["Cache-Control"] = NO_STORE
        return response
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response


def no_store(view: Callable) -> Callable:
    """For a view outside NO_STORE_PREFIXES that shows something private."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return _no_store(view(request, *args, **kwargs))

    return wrapper


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every page under NO_STORE_PREFIXES, on every answer to a POST
    (they echo what was typed: the report form's review step shows the resident's email and
    phone) and on every page shown to a signed-in user."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        path = request.path_info
        user = getattr(request, "user", None)
        private = (
            path.startswith(NO_STORE_PREFIXES)
            or request.method not in ("GET", "HEAD")
            or (user and user.is_authenticated)
        )
        if private and not response.get("Cache-Control", "").startswith("public"):
            _no_store(response)
        return response


class PathCspMiddleware:
    """Pages under a prefix of settings.SECURE_CSP_PATHS get that policy instead of SECURE_CSP
    (the longest prefix wins). Listed after ContentSecurityPolicyMiddleware, so it sees the
    response first; a view's own @csp_override still wins."""

    def __init__(self, get_response: Callable) -> None:
        from django.conf import settings

        self.get_response = get_response
        self.paths = sorted(settings.SECURE_CSP_PATHS.items(), key=lambda kv: -len(kv[0]))

    def __call__(self, request):
        response = self.get_response(request)
        if not hasattr(response, "_csp_config"):
            for prefix, policy in self.paths:
                if request.path_info.startswith(prefix):
                    response._csp_config = policy
                    break
        return response
