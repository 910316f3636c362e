from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class Civic311AdminConfig(AdminConfig):
    """django.contrib.admin with our site: throttled sign-in, two-factor for city admins and
    audited bulk actions (staff/admin_site.py)."""

    default_site = "staff.admin_site.Civic311AdminSite"
