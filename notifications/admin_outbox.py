"""Admin for the outbox: every message with its status (search a tracking number for one
request's log), resend for failed ones, and the opt-out register with its history."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from notifications.models import ContactPreference, OptOutLog, OutboxMessage
from notifications.sending import ResendError, contact_preference_set, message_resend


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: rows change only through the sender (and Resend), so the log stays true."""

    list_display = [
        "created_at",
        "channel",
        "recipient",
        "template",
        "language",
        "status",
        "attempts",
        "permanent_failure",
        "short_error",
        "request_link",
    ]
    list_filter = ["status", "channel", "template", "permanent_failure", "language"]
    search_fields = ["request__tracking_number", "recipient", "provider_message_id"]
    list_select_related = ["request"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["resend"]
    fieldsets = [
        (None, {"fields": ["request", "channel", "recipient", "template", "language"]}),
        (
            _("Delivery"),
            {
                "fields": [
                    "status",
                    "attempts",
                    "next_attempt_at",
                    "last_error",
                    "permanent_failure",
                    "provider_message_id",
                    "created_at",
                    "claimed_at",
                    "sent_at",
                ]
            },
        ),
        (_("Content"), {"fields": ["subject", "body_text", "body_html"]}),
        (_("Source"), {"fields": ["event", "user", "subscription", "digest", "dedupe_key"]}),
    ]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=_("Error"))
    def short_error(self, obj: OutboxMessage) -> str:
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    @admin.display(description=_("Request"), ordering="request__tracking_number")
    def request_link(self, obj: OutboxMessage) -> str:
        if obj.request is None:
            return "—"
        url = reverse("staff:detail", args=[obj.request.tracking_number])
        return format_html('<a href="{}">{}</a>', url, obj.request.tracking_number)

    @admin.action(description=_("Resend the selected failed messages"))
    def resend(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        done, refused = 0, []
        for message_id in queryset.values_list("pk", flat=True):
            try:
                message_resend(message_id=message_id, actor=request.user)
                done += 1
            except ResendError as exc:
                refused.append(f"#{message_id}: {gettext(str(exc))}")
        if done:
            self.message_user(
                request,
                ngettext("%(n)d message queued again.", "%(n)d messages queued again.", done)
                % {"n": done},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(request, "; ".join(refused), messages.WARNING)


@admin.register(ContactPreference)
class ContactPreferenceAdmin(admin.ModelAdmin):
    """Changed only through the actions, so that every opt-out and opt-in is logged."""

    list_display = ["address", "channel", "opted_out", "language", "updated_at"]
    list_filter = ["channel", "opted_out"]
    search_fields = ["address"]
    actions = ["opt_out", "opt_in"]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def _set(self, request: HttpRequest, queryset, *, opted_out: bool) -> None:
        for pref in queryset:
            contact_preference_set(
                channel=pref.channel, address=pref.address, opted_out=opted_out, source="staff"
            )
        self.message_user(request, _("Recorded."), messages.SUCCESS)

    @admin.action(description=_("Opt out (at the resident's request; logged)"))
    def opt_out(self, request: HttpRequest, queryset) -> None:
        self._set(request, queryset, opted_out=True)

    @admin.action(description=_("Opt back in (at the resident's request; logged)"))
    def opt_in(self, request: HttpRequest, queryset) -> None:
        self._set(request, queryset, opted_out=False)


@admin.register(OptOutLog)
class OptOutLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "address", "channel", "action", "source", "request"]
    list_filter = ["channel", "action", "source"]
    search_fields = ["address", "request__tracking_number"]
    list_select_related = ["request"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
