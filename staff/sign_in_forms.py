"""The sign-in forms say why an attempt was refused when the throttle refused it."""

from __future__ import annotations

import math

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import ngettext_lazy

# Lazy with the count named: one module constant that makemessages finds and tests can use.
THROTTLED = ngettext_lazy(
    "Too many failed sign-in attempts. For your security, wait %(minutes)d minute before "
    "trying again, or reset your password.",
    "Too many failed sign-in attempts. For your security, wait %(minutes)d minutes before "
    "trying again, or reset your password.",
    "minutes",
)


def throttled_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return str(THROTTLED % {"minutes": minutes})


def throttled_status(request, response: HttpResponse) -> HttpResponse:
    """429 for a refused attempt, with Retry-After."""
    wait = getattr(request, "sign_in_retry_after", None)
    if wait and response.status_code == 200:
        response.status_code = 429
        response["Retry-After"] = str(wait)
    return response


class ThrottledMessageMixin:
    def get_invalid_login_error(self) -> ValidationError:
        wait = getattr(self.request, "sign_in_retry_after", None)
        if wait:
            return ValidationError(throttled_message(wait), code="throttled")
        return super().get_invalid_login_error()


class StaffAuthenticationForm(ThrottledMessageMixin, AuthenticationForm):
    pass


class AdminSignInForm(ThrottledMessageMixin, AdminAuthenticationForm):
    pass
