"""Placeholder: being written."""

from __future__ import annotations

from django.http import HttpResponse


def detail(request, *args, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)


def action(request, *args, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)
