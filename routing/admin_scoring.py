"""Admin for scoring (placeholder)."""

from __future__ import annotations
