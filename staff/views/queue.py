"""Placeholder: being written."""

from __future__ import annotations

from django.http import HttpResponse


def queue(request, *args, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)


def bulk(request, *args, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)
