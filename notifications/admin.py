"""Admin pages for messaging live in one module per part."""

from __future__ import annotations

from notifications import admin_inbound, admin_outbox, admin_staff, admin_templates  # noqa: F401
