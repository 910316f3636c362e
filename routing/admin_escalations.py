"""Admin for escalations (placeholder)."""

from __future__ import annotations
