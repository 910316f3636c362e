from __future__ import annotations

from django.apps import AppConfig


class StaffConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "staff"
    verbose_name = "Staff back office"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from staff.sign_in_throttle import on_user_logged_in

        user_logged_in.connect(on_user_logged_in, dispatch_uid="staff-sign-in-throttle")
