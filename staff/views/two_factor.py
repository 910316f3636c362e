"""Two-factor pages: set up an authenticator app, and give its code after the password."""

from __future__ import annotations

from base64 import b32encode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import match_token

from civic311.http import local_url
from staff.two_factor import (
    SESSION_HAS_DEVICE,
    confirmed_device,
    device_confirm,
    pending_device,
    qr_svg,
    with_next,
)

WRONG_CODE = _("That code is not right, or has expired. Enter the 6-digit code your app shows now.")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].replace(" ", "")


def _next(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    return local_url(request, url, default="/staff/")


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    device = confirmed_device(request.user)
    if device is not None and request.user.is_verified():
        context = {"enabled": True, "heading": _("Two-factor sign-in")}
        return render(request, "staff/two_factor_setup.html", context)
    if device is not None:  # set up already: prove it first
        return redirect(with_next("staff:two_factor_verify", _next(request)))
    device = pending_device(request.user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if device_confirm(device=device, token=form.cleaned_data["code"]):
            otp_login(request, device)
            request.session[SESSION_HAS_DEVICE] = True
            return redirect(_next(request))
        form.add_error("code", WRONG_CODE)
    context = {
        "form": form,
        "next": _next(request),
        "qr_svg": qr_svg(device.config_url),
        "secret": b32encode(device.bin_key).decode(),
        "heading": _("Set up two-factor sign-in"),
    }
    status = 400 if form.errors else 200
    return render(request, "staff/two_factor_setup.html", context, status=status)


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():
        return redirect(_next(request))
    if confirmed_device(request.user) is None:  # removed by an admin since sign-in
        request.session[SESSION_HAS_DEVICE] = False
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("code", WRONG_CODE)
    context = {"form": form, "next": _next(request), "heading": _("Enter your sign-in code")}
    return render(
        request, "staff/two_factor_verify.html", context, status=400 if form.errors else 200
    )
