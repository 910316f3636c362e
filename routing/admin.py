from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from requests_app.models import Asset, Category, Channel
from requests_app.selectors import address_resolve
from routing.models import (
    BusinessCalendar,
    CalendarClosure,
    RoutingRule,
    SlaTarget,
    Weekday,
    WorkingHours,
)
from routing.rules import RequestLike, rules_evaluate


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 1


class CalendarClosureInline(admin.TabularInline):
    model = CalendarClosure
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "holiday_country", "holiday_subdivision"]
    search_fields = ["name"]
    inlines = [WorkingHoursInline, CalendarClosureInline]


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin):
    list_display = [
        "category",
        "priority",
        "clock",
        "calendar",
        "response_hours",
        "resolution_hours",
    ]
    list_filter = ["clock", "priority", "calendar", "category"]
    list_select_related = ["category", "calendar"]
    search_fields = ["category__name", "category__code"]


# --- Routing rules -------------------------------------------------------------------------------


class DryRunForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=Category.objects.select_related("default_department", "group")
    )
    address = forms.CharField(required=False, help_text="Or give latitude and longitude.")
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.WEB)
    at = forms.DateTimeField(
        required=False,
        help_text="When it is filed, in city time; blank for now.",
    )
    asset_id = forms.CharField(
        required=False,
        max_length=60,
        label="Asset id",
        help_text="Optional: the asset the resident picked, e.g. SL-1234 (of the category's "
        "asset type).",
    )

    def clean_asset_id(self) -> Asset | None:
        """The asset by its id: of the category's asset type when it has one, else the only
        asset with that id."""
        ref = (self.cleaned_data.get("asset_id") or "").strip()
        if not ref:
            return None
        found = Asset.objects.select_related("department").filter(asset_id=ref)
        category = self.cleaned_data.get("category")
        if category is not None and category.asset_type:
            found = found.filter(asset_type=category.asset_type)
        assets = list(found[:2])
        if len(assets) != 1:
            raise forms.ValidationError(
                "No asset has that id."
                if not assets
                else "Several assets have that id: choose a category with an asset type."
            )
        return assets[0]

    def clean(self) -> dict:
        data = super().clean()
        lat, lng, address = data.get("latitude"), data.get("longitude"), data.get("address")
        if lat is not None and lng is not None:
            data["point"] = Point(lng, lat, srid=4326)
        elif address:
            found = address_resolve(query=address)
            if found is None:
                raise forms.ValidationError("No single address matches that text.")
            data["point"] = found.location
        else:
            raise forms.ValidationError("Give an address or a latitude and longitude.")
        return data


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["order", "name", "active", "conditions_summary", "actions_summary"]
    list_display_links = ["name"]
    list_editable = ["order", "active"]
    list_filter = ["active", "department"]
    search_fields = ["name", "keywords"]
    ordering = ["order", "id"]
    filter_horizontal = ["categories", "category_groups", "areas"]
    fieldsets = [
        (None, {"fields": ["name", "order", "active"]}),
        (
            "Conditions (all optional, all must match)",
            {
                "fields": [
                    "categories",
                    "category_groups",
                    "areas",
                    "keywords",
                    ("answer_code", "answer_value"),
                    "channels",
                    "asset_types",
                    "weekdays",
                    ("time_start", "time_end"),
                ]
            },
        ),
        ("Actions (all optional)", {"fields": ["department", "team", "priority", "tag"]}),
    ]

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .select_related("department", "team")
            .prefetch_related("categories", "category_groups", "areas")
        )

    @admin.display(description="Conditions")
    def conditions_summary(self, rule: RoutingRule) -> str:
        parts = [
            *(f"category={c.name}" for c in rule.categories.all()),
            *(f"group={g.name}" for g in rule.category_groups.all()),
            *(f"area={a.name}" for a in rule.areas.all()),
        ]
        if rule.keywords:
            parts.append(f"keywords={rule.keywords}")
        if rule.answer_code:
            parts.append(f"{rule.answer_code}={rule.answer_value or 'answered'}")
        if rule.channels:
            parts.append(f"channels={rule.channels}")
        if rule.asset_types:
            parts.append(f"assets={rule.asset_types}")
        if rule.weekdays:
            parts.append("days=" + ",".join(Weekday(d).label[:3] for d in rule.weekdays))
        if rule.time_start is not None and rule.time_end is not None:
            parts.append(f"time={rule.time_start:%H:%M}-{rule.time_end:%H:%M}")
        return "; ".join(parts) or "always"

    @admin.display(description="Actions")
    def actions_summary(self, rule: RoutingRule) -> str:
        parts = []
        if rule.department:
            parts.append(f"route to {rule.department.name}")
        if rule.team:
            parts.append(f"team {rule.team.name}")
        if rule.priority:
            parts.append(f"priority {rule.get_priority_display()}")
        if rule.tag:
            parts.append(f"tag {rule.tag}")
        return "; ".join(parts) or "none"

    def get_urls(self):
        custom = [
            path(
                "dry-run/",
                self.admin_site.admin_view(self.dry_run_view),
                name="routing_routingrule_dry_run",
            )
        ]
        return custom + super().get_urls()

    def dry_run_view(self, request: HttpRequest) -> HttpResponse:
        """Which rules fire for a made-up request and where it would go. Writes nothing."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = DryRunForm(request.GET or None)
        decision = None
        if form.is_valid():
            data = form.cleaned_data
            at = data["at"] or timezone.now()
            decision = rules_evaluate(
                request_like=RequestLike(
                    category=data["category"],
                    point=data["point"],
                    description=data["description"],
                    channel=data["channel"],
                    at=at,
                    asset=data["asset_id"],
                )
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Routing dry run",
            "form": form,
            "decision": decision,
        }
        return TemplateResponse(request, "admin/routing/routingrule/dry_run.html", context)


# Admin pages for the escalation, scoring and assignment models live in their own modules.
from routing import admin_assignment, admin_escalations, admin_scoring  # noqa: E402, F401
