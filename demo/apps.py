from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """No models: the app exists for its management commands (seed_demo, seed_routing_demo,
    bench)."""

    name = "demo"
    verbose_name = _("Demo city")
