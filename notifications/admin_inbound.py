"""Admin for the inbound part of messaging (placeholder)."""

from __future__ import annotations
