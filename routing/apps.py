from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "routing"
    verbose_name = _("Routing")

    def ready(self) -> None:
        from requests_app.dispatch import due_provider_register, handler_register
        from routing import citypack
        from routing.handlers import on_event
        from routing.sla import due_times_for

        handler_register("routing", on_event)
        due_provider_register(due_times_for)
        citypack.register()  # calendars, holidays and service levels in city packs
