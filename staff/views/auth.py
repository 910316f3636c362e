"""Staff sign-in, sign-out and password reset: Django's own views with our templates. Failed
sign-ins are throttled for every sign-in form by staff/sign_in_throttle.py (an authentication
backend); these views only turn a refused attempt into a 429 with its message."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy

from staff.sign_in_forms import StaffAuthenticationForm, throttled_status
from staff.sign_in_throttle import ADDRESS_LIMIT, PAIR_LIMIT, sign_in_throttle_clear

# Kept for callers and tests written against the old names.
MAX_FAILURES = PAIR_LIMIT
MAX_ADDRESS_FAILURES = ADDRESS_LIMIT


class LoginView(auth_views.LoginView):
    template_name = "staff/login.html"
    redirect_authenticated_user = True
    authentication_form = StaffAuthenticationForm

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return throttled_status(request, super().post(request, *args, **kwargs))


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form) -> HttpResponse:
        # The owner proved themselves by email: their sign-in waits end here.
        sign_in_throttle_clear(username=form.user.get_username())
        return super().form_valid(form)


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
password_reset_confirm = PasswordResetConfirmView.as_view(
    template_name="staff/password_reset_confirm.html",
    extra_context={"heading": gettext_lazy("Choose a new password")},
    success_url=reverse_lazy("staff:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="staff/password_reset_complete.html",
    extra_context={"heading": gettext_lazy("Password changed")},
)
