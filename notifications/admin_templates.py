"""Admin for the templates part of messaging (placeholder)."""

from __future__ import annotations
