"""URLs for the resident part of messaging."""

from __future__ import annotations

urlpatterns: list = []
