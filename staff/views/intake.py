"""Placeholder: being written."""

from __future__ import annotations

from django.http import HttpResponse


def intake(request, *args, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)
