"""Admin for the staff part of messaging (placeholder)."""

from __future__ import annotations
