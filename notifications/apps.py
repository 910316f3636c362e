from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"

    def ready(self) -> None:
        from notifications.handlers import on_event
        from requests_app.dispatch import handler_register

        handler_register("notifications", on_event)
