"""Staff sign-in, sign-out and password reset: Django's own views with our templates, and a
throttle on failed sign-ins.

The throttle counts failed attempts per username and per client address in the cache. Five
failures within 15 minutes lock that username (or address) out for the next 15 minutes, even
with the right password; a successful sign-in clears its username's count."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

MAX_FAILURES = 5
# A call centre shares one address: lock the address only after many failures across usernames.
MAX_ADDRESS_FAILURES = 20
WINDOW_SECONDS = 15 * 60
LOCK_SECONDS = 15 * 60
LOCKED_OUT = gettext_noop(
    "Too many failed sign-in attempts. For your security, signing in is paused for 15 minutes. "
    "Try again later, or reset your password."
)


def _keys(kind: str, value: str) -> tuple[str, str]:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"staff-login:fail:{kind}:{digest}", f"staff-login:lock:{kind}:{digest}"


def _subjects(request: HttpRequest, username: str) -> list[tuple[str, str]]:
    # REMOTE_ADDR, not X-Forwarded-For: a client can write any forwarded-for header it likes.
    subjects = [("ip", request.META.get("REMOTE_ADDR", ""))]
    if username.strip():
        subjects.append(("user", username))
    return subjects


def login_locked(*, request: HttpRequest, username: str) -> bool:
    return any(cache.get(_keys(kind, value)[1]) for kind, value in _subjects(request, username))


def login_failure_record(*, request: HttpRequest, username: str) -> None:
    """Count one failed attempt for the username and the address; the fifth for a username (the
    twentieth for an address) within the window locks it out for LOCK_SECONDS."""
    for kind, value in _subjects(request, username):
        fails, lock = _keys(kind, value)
        cache.add(fails, 0, WINDOW_SECONDS)
        try:
            count = cache.incr(fails)
        except ValueError:  # expired between add and incr
            cache.set(fails, 1, WINDOW_SECONDS)
            count = 1
        if count >= (MAX_ADDRESS_FAILURES if kind == "ip" else MAX_FAILURES):
            cache.set(lock, True, LOCK_SECONDS)
            cache.delete(fails)


def login_failures_clear(*, username: str) -> None:
    cache.delete(_keys("user", username)[0])


class LoginView(auth_views.LoginView):
    template_name = "staff/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        username = request.POST.get("username", "")
        if login_locked(request=request, username=username):
            # An unbound form: validating this one would try the password.
            form = self.get_form_class()(request, initial={"username": username})
            context = self.get_context_data(form=form, locked_out=_(LOCKED_OUT))
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form) -> HttpResponse:
        login_failures_clear(username=form.get_user().get_username())
        return super().form_valid(form)

    def form_invalid(self, form) -> HttpResponse:
        login_failure_record(request=self.request, username=form.data.get("username", ""))
        return super().form_invalid(form)


login = LoginView.as_view()
logout = auth_views.LogoutView.as_view()
password_reset = auth_views.PasswordResetView.as_view(
    extra_email_context={"city_name": settings.CITY_NAME},
    template_name="staff/password_reset_form.html",
    extra_context={"heading": gettext_lazy("Reset your password")},
    email_template_name="registration/staff_password_reset_email.txt",
    subject_template_name="registration/staff_password_reset_subject.txt",
    success_url=reverse_lazy("staff:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="staff/password_reset_done.html",
    extra_context={"heading": gettext_lazy("Check your email")},
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="staff/password_reset_confirm.html",
    extra_context={"heading": gettext_lazy("Choose a new password")},
    success_url=reverse_lazy("staff:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="staff/password_reset_complete.html",
    extra_context={"heading": gettext_lazy("Password changed")},
)
