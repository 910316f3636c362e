"""Placeholder: being written."""

from __future__ import annotations

from django.http import HttpResponse


def login(request, *args, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)


def logout(request, *args, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)


def password_reset(request, *args, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)


def password_reset_done(request, *args, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)


def password_reset_confirm(request, *args, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)


def password_reset_complete(request, *args, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)
