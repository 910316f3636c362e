from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "staff"
    verbose_name = _("Staff back office")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from staff import sign_in_throttle, two_factor

        user_logged_in.connect(
            sign_in_throttle.on_user_logged_in, dispatch_uid="staff-sign-in-throttle"
        )
        user_logged_in.connect(two_factor.on_user_logged_in, dispatch_uid="staff-two-factor")
