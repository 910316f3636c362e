"""Admin for the outbox part of messaging (placeholder)."""

from __future__ import annotations
