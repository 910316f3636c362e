"""URLs for the staff part of messaging."""

from __future__ import annotations

urlpatterns: list = []
