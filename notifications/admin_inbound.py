"""Admin for the inbound part of messaging: every received email and text message with what
became of it, and text-message reports in progress. Read-only: they are records."""

from __future__ import annotations

from django.contrib import admin

from notifications.models import InboundMessage, SmsConversation


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "channel", "sender", "outcome", "request", "reason")
    list_filter = ("channel", "outcome")
    search_fields = ("sender", "recipient", "request__tracking_number", "provider_id")
    date_hierarchy = "received_at"
    list_select_related = ("request",)
    raw_id_fields = ("request",)


@admin.register(SmsConversation)
class SmsConversationAdmin(ReadOnlyAdmin):
    list_display = ("phone", "step", "category", "address", "request", "updated_at")
    list_filter = ("step",)
    search_fields = ("phone", "request__tracking_number")
    list_select_related = ("category", "request")
    raw_id_fields = ("category", "request")
