"""civic311's Django admin site: the sign-in throttle on its login page, two-factor for the
people who may use it, a LogEntry for every bulk action and named inputs in editable lists."""

from __future__ import annotations

import dataclasses
from functools import wraps

from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.http import HttpRequest, HttpResponse

from requests_app.admin_labels import LabelledAdminMixin
from staff.sign_in_forms import AdminSignInForm, throttled_status
from staff.two_factor import two_factor_passed


class AuditedActionsMixin:
    """Bulk actions write one LogEntry ("changed") per selected object, naming the action:
    Django logs its own delete_selected, but not the actions an app adds."""

    def get_action(self, action, *args, **kwargs):
        found = super().get_action(action, *args, **kwargs)
        if found is None or found.name == "delete_selected":
            return found
        func, description = found.func, found.description

        @wraps(func)
        def audited(modeladmin, request, queryset):
            selected = list(queryset)
            response = func(modeladmin, request, queryset)
            if selected and request.user.is_authenticated:
                LogEntry.objects.log_actions(
                    request.user.pk,
                    selected,
                    CHANGE,
                    change_message=f"Bulk action: {description}",
                )
            return response

        return dataclasses.replace(found, func=audited)


class Civic311AdminSite(admin.AdminSite):
    login_form = AdminSignInForm

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        # Every model admin (Django's and the libraries' too) audits its bulk actions and names
        # the inputs Django leaves unnamed (requests_app/admin_labels.py).
        mixins = tuple(
            mixin
            for mixin in (AuditedActionsMixin, LabelledAdminMixin)
            if not issubclass(admin_class, mixin)
        )
        if mixins:
            admin_class = type(
                admin_class.__name__,
                (*mixins, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        return super().register(model_or_iterable, admin_class, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        # TwoFactorMiddleware redirects first; this keeps every admin view closed regardless.
        return super().has_permission(request) and two_factor_passed(request)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        response = super().login(request, extra_context)
        return throttled_status(request, response)
