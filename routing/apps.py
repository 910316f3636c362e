from __future__ import annotations

from django.apps import AppConfig


class RoutingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "routing"

    def ready(self) -> None:
        from requests_app.dispatch import due_provider_register, handler_register
        from routing import citypack
        from routing.handlers import on_event
        from routing.sla import due_times_for

        handler_register("routing", on_event)
        due_provider_register(due_times_for)
        citypack.register()  # calendars, holidays and service levels in city packs
