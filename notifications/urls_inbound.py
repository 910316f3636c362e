"""URLs for the inbound part of messaging."""

from __future__ import annotations

urlpatterns: list = []
