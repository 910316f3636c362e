"""The admin's audit log: Django's LogEntry rows (every add, change and delete made in the
admin, and civic311's bulk actions: staff/admin_site.py), read-only, for city admins."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from requests_app.admin import ReadOnlyAdmin
from staff.models import AuditLogEntry
from staff.two_factor import two_factor_required


@admin.register(AuditLogEntry)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ["action_time", "user", "action", "content_type", "object_link", "changes"]
    list_filter = ["action_flag", "content_type", "user"]
    search_fields = ["object_repr", "change_message", "user__username"]
    date_hierarchy = "action_time"
    list_select_related = ["user", "content_type"]
    ordering = ["-action_time"]
    actions = None

    @admin.display(description=_("action"), ordering="action_flag")
    def action(self, entry: LogEntry) -> str:
        return {1: _("added"), 2: _("changed"), 3: _("deleted")}.get(entry.action_flag, "")

    @admin.display(description=_("object"), ordering="object_repr")
    def object_link(self, entry: LogEntry) -> str:
        if entry.action_flag != 3 and entry.content_type_id:
            try:
                url = reverse(
                    f"admin:{entry.content_type.app_label}_{entry.content_type.model}_change",
                    args=[entry.object_id],
                )
            except NoReverseMatch:
                url = ""
            if url:
                return format_html('<a href="{}">{}</a>', url, entry.object_repr)
        return entry.object_repr

    @admin.display(description=_("what changed"))
    def changes(self, entry: LogEntry) -> str:
        return entry.get_change_message()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and two_factor_required(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)
