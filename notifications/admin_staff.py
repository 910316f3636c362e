"""Admin for staff notification settings, closure survey results and the messaging settings."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from notifications.forms_staff import BAD_TIME
from notifications.models import MessagingSettings, StaffPreference, Survey
from notifications.staff import digest_times_format, digest_times_parse


class StaffPreferenceAdminForm(forms.ModelForm):
    class Meta:
        model = StaffPreference
        fields = "__all__"  # noqa: DJ007 - every field is an admin setting

    def clean_digest_times(self) -> str:
        # The same check and normal form ("08:00,17:30") as the staff settings page.
        try:
            times = digest_times_parse(self.cleaned_data["digest_times"])
        except ValueError as exc:
            raise forms.ValidationError(BAD_TIME, params={"value": str(exc)}) from exc
        return digest_times_format(times)


@admin.register(StaffPreference)
class StaffPreferenceAdmin(admin.ModelAdmin):
    form = StaffPreferenceAdminForm
    list_display = [
        "user",
        "new_in_department",
        "assigned_to_me",
        "resident_replied",
        "escalations",
        "digest_times",
        "language",
        "last_digest_at",
    ]
    list_filter = ["new_in_department", "assigned_to_me", "escalations", "language"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    readonly_fields = ["last_digest_at"]


class AnsweredFilter(admin.SimpleListFilter):
    title = _("answered")
    parameter_name = "answered"

    def lookups(self, request, model_admin):
        return [("yes", _("Answered")), ("no", _("Not answered"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(answered_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(answered_at__isnull=True)
        return queryset


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    """Read-only: answers come from residents and feed reporting."""

    list_display = ["request", "sent_at", "answered_at", "fixed", "satisfaction", "language"]
    list_filter = [
        AnsweredFilter,
        "fixed",
        "satisfaction",
        "language",
        "request__department",
        "request__category",
        "sent_at",
    ]
    search_fields = ["request__tracking_number"]
    list_select_related = ["request"]
    date_hierarchy = "sent_at"
    # The token is the resident's secret link: not shown.
    fields = [
        "request",
        "language",
        "sent_at",
        "answered_at",
        "fixed",
        "satisfaction",
        "comment",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(MessagingSettings)
class MessagingSettingsAdmin(admin.ModelAdmin):
    """One row of city-wide messaging rules: added once, never deleted."""

    list_display = ["__str__", "survey_reopen_days", "no_problem_reply_days", "max_attempts"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not MessagingSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
