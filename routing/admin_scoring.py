"""Admin for the priority score: the weights (one row), keywords and sensitive places."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from routing.models import ScoreKeyword, ScoringSettings, SensitivePlace
from routing.scoring import scoring_settings

BANDS_OUT_OF_ORDER = "The bands must go down: Urgent above High above Normal."


class ScoringSettingsForm(forms.ModelForm):
    class Meta:
        model = ScoringSettings
        fields = [
            "enabled",
            "supporter_points",
            "supporter_cap",
            "age_points_per_day",
            "age_cap",
            "urgent_at",
            "high_at",
            "normal_at",
        ]

    def clean(self) -> dict:
        data = super().clean()
        urgent, high, normal = data.get("urgent_at"), data.get("high_at"), data.get("normal_at")
        if None not in (urgent, high, normal) and not urgent > high > normal:
            raise forms.ValidationError(BANDS_OUT_OF_ORDER)
        return data


@admin.register(ScoringSettings)
class ScoringSettingsAdmin(admin.ModelAdmin):
    """One row: the list page goes straight to it; it can be neither added twice nor deleted."""

    form = ScoringSettingsForm
    fieldsets = [
        (None, {"fields": ["enabled"]}),
        ("Other residents reporting it", {"fields": [("supporter_points", "supporter_cap")]}),
        ("Age", {"fields": [("age_points_per_day", "age_cap")]}),
        (
            "Priority bands (a score at or above the number gets the priority)",
            {"fields": [("urgent_at", "high_at", "normal_at")]},
        ),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not ScoringSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        row = scoring_settings()
        return HttpResponseRedirect(reverse("admin:routing_scoringsettings_change", args=[row.pk]))


@admin.register(ScoreKeyword)
class ScoreKeywordAdmin(admin.ModelAdmin):
    list_display = ["word", "points"]
    list_editable = ["points"]
    search_fields = ["word"]


@admin.register(SensitivePlace)
class SensitivePlaceAdmin(GISModelAdmin):
    list_display = ["name", "kind", "radius_m", "points", "source"]
    list_filter = ["kind"]
    search_fields = ["name", "kind", "source"]
