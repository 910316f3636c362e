"""Admin for assignment (placeholder)."""

from __future__ import annotations
