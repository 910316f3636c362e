"""Admin for the routing app: business calendars and SLA targets, routing rules (with a dry run),
escalation policies, the priority score and crew zones, one section each."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.gis.admin import GISModelAdmin
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from civic311.bounds import BoundedDateTimeField
from requests_app.admin import CategoryAdmin as CoreCategoryAdmin
from requests_app.admin import ReadOnlyAdmin, SafeAutocompleteMixin, admin_page_urls
from requests_app.admin_labels import LabelledTabularInline
from requests_app.models import Asset, Category, Channel, Priority
from requests_app.selectors import address_resolve
from routing.assignment import user_name
from routing.models import (
    BusinessCalendar,
    CalendarClosure,
    CrewZone,
    EscalationFired,
    EscalationPolicy,
    EscalationStep,
    RoutingRule,
    ScoreKeyword,
    ScoringSettings,
    SensitivePlace,
    SlaTarget,
    Weekday,
    WorkingHours,
)
from routing.rules import RequestLike, rules_evaluate
from routing.scoring import scoring_settings
from routing.sla import TargetInEffect, sla_targets_in_effect


class WorkingHoursInline(LabelledTabularInline):
    model = WorkingHours
    extra = 1


class CalendarClosureInline(LabelledTabularInline):
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


# --- A category's service level in effect -------------------------------------------------------
# The SLA targets are the source of truth for due dates; a category's own hours are only the
# fallback for a priority no target covers. The category page shows, per priority, the target the
# due-date code applies (routing.sla.sla_targets_in_effect), and edits the targets inline.


def target_hours_text(target: TargetInEffect, hours: float) -> str:
    # Hours may be fractional (1.5): only exactly one is singular.
    n = 1 if hours == 1 else 2
    if target.business_hours:
        text = ngettext("%(hours)s business hour", "%(hours)s business hours", n)
    else:
        text = ngettext("%(hours)s hour around the clock", "%(hours)s hours around the clock", n)
    return text % {"hours": f"{hours:g}"}


def target_source_text(target: TargetInEffect) -> str:
    if target.fallback:
        return gettext("The category's fallback hours: no SLA target covers this priority")
    if target.business_hours:
        return gettext("SLA target, on the %(calendar)s calendar") % {
            "calendar": target.calendar_name
        }
    return gettext("SLA target")


class SlaTargetInline(LabelledTabularInline):
    model = SlaTarget
    extra = 0
    fields = ["priority", "clock", "calendar", "response_hours", "resolution_hours"]


FALLBACK_HOURS = ("response_target_hours", "resolution_target_hours")


def fields_with_targets(fields: list) -> list:
    """The core's category fields with the table of targets in effect above the fallback hours."""
    return [
        item
        for field in fields
        for item in (["targets_in_effect", field] if field == FALLBACK_HOURS else [field])
    ]


admin.site.unregister(Category)


@admin.register(Category)
class CategoryAdmin(CoreCategoryAdmin):
    """The core's category admin, with the service level in effect (read-only, as the due dates
    count it) and the category's SLA targets inline."""

    list_display = [
        "resolution_in_effect" if name == "resolution_target_hours" else name
        for name in CoreCategoryAdmin.list_display
        if name != "response_target_hours"
    ]
    inlines = [*CoreCategoryAdmin.inlines, SlaTargetInline]
    readonly_fields = ["targets_in_effect"]
    fieldsets = [
        (title, {**options, "fields": fields_with_targets(options["fields"])})
        for title, options in CoreCategoryAdmin.fieldsets
    ]

    @admin.display(description=_("Resolution target in effect (normal priority)"))
    def resolution_in_effect(self, category: Category) -> str:
        target = next(
            t for t in sla_targets_in_effect(category=category) if t.priority == Priority.NORMAL
        )
        text = target_hours_text(target, target.resolution_hours)
        return gettext("%(text)s (fallback)") % {"text": text} if target.fallback else text

    @admin.display(description=_("Service level in effect"))
    def targets_in_effect(self, category: Category) -> str:
        if category.pk is None:
            return gettext("Shown once the category is saved.")
        rows = format_html_join(
            "",
            '<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    Priority(target.priority).label,
                    target_hours_text(target, target.response_hours),
                    target_hours_text(target, target.resolution_hours),
                    target_source_text(target),
                )
                for target in sla_targets_in_effect(category=category)
            ),
        )
        return format_html(
            '<table class="effective-targets"><caption class="visually-hidden">{}</caption>'
            '<thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            gettext("The due dates of new requests in this category, by priority"),
            gettext("Priority"),
            gettext("First action"),
            gettext("Resolution"),
            gettext("Set by"),
            rows,
        )


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
    at = BoundedDateTimeField(
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
        return admin_page_urls(self, {"dry-run": self.dry_run_view}) + super().get_urls()

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


# --- Escalation policies -------------------------------------------------------------------------
# Policies with their steps inline, and the read-only log of fired steps.


STEP_PERCENT_NEEDS_TARGET = _("Say which target the percentage is of.")
STEP_IDLE_NEEDS_HOURS = _("An idle reminder needs a number of hours above zero.")
STEP_PERCENT_RANGE = _(
    "A percentage of the target is above 0 and at most 1000 (100 is the due time)."
)
STEP_TEAM_OTHER_DEPARTMENT = _("The team must belong to the policy's department.")
STEP_DOES_NOTHING = _("This step does nothing: tell someone, raise the priority or move it.")


class EscalationStepForm(forms.ModelForm):
    class Meta:
        model = EscalationStep
        fields = ["name", "trigger", "target", "value", "notify", "raise_priority", "reassign_team"]

    def clean(self) -> dict:
        data = super().clean()
        trigger, value = data.get("trigger"), data.get("value")
        if trigger == EscalationStep.Trigger.TARGET_PERCENT:
            if not data.get("target"):
                self.add_error("target", STEP_PERCENT_NEEDS_TARGET)
            if value is not None and not 0 < value <= 1000:
                self.add_error("value", STEP_PERCENT_RANGE)
        elif trigger == EscalationStep.Trigger.IDLE:
            if value is not None and value <= 0:
                self.add_error("value", STEP_IDLE_NEEDS_HOURS)
            # Idle steps count hours since the last action, whatever the target.
            data["target"] = ""
        if not (data.get("notify") or data.get("raise_priority") or data.get("reassign_team")):
            raise forms.ValidationError(STEP_DOES_NOTHING)
        return data


class EscalationStepFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        department_id = self.instance.department_id
        if department_id is None:
            # City-wide and category policies: a team outside the request's department is skipped
            # at run time (and the escalation event says so).
            return
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            team = form.cleaned_data.get("reassign_team")
            if team is not None and team.department_id != department_id:
                form.add_error("reassign_team", STEP_TEAM_OTHER_DEPARTMENT)


class EscalationStepInline(LabelledTabularInline):
    model = EscalationStep
    form = EscalationStepForm
    formset = EscalationStepFormSet
    extra = 1
    autocomplete_fields: list[str] = []


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "active", "scope", "steps_summary"]
    list_filter = ["active", "department"]
    search_fields = ["name"]
    filter_horizontal = ["categories"]
    inlines = [EscalationStepInline]
    fieldsets = [
        (None, {"fields": ["name", "active"]}),
        (
            _("Applies to (the most specific active policy wins: category, department, city)"),
            {"fields": ["department", "categories"]},
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[EscalationPolicy]:
        return (
            super()
            .get_queryset(request)
            .select_related("department")
            .prefetch_related("categories", "steps__reassign_team")
        )

    @admin.display(description=_("Applies to"))
    def scope(self, policy: EscalationPolicy) -> str:
        parts = []
        if policy.department:
            parts.append(policy.department.name)
        categories = [c.name for c in policy.categories.all()]
        if categories:
            parts.append(", ".join(categories))
        return " / ".join(parts) or str(_("city-wide"))

    @admin.display(description=_("Steps"))
    def steps_summary(self, policy: EscalationPolicy) -> str:
        return "; ".join(step_describe(step) for step in policy.steps.all()) or "—"

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        policy_id = form.instance.pk

        def reschedule() -> None:
            from django_q.tasks import async_task

            async_task("routing.tasks.escalations_reschedule", policy_id)

        # Open requests this policy covers get their next escalation time recomputed in the
        # background, so a new policy applies to work already in the queues.
        transaction.on_commit(reschedule)
        messages.info(request, _("Open requests are being rescheduled in the background."))


def step_describe(step: EscalationStep) -> str:
    """One step in a few words, e.g. '75% of resolution → supervisors'."""
    if step.trigger == EscalationStep.Trigger.IDLE:
        when = f"idle {step.value:g} h"
    else:
        when = f"{step.value:g}% of {step.target or '?'}"
    actions = []
    if step.notify:
        actions.append(step.get_notify_display() if step.notify != "assignee" else "assignee")
    if step.raise_priority:
        actions.append("priority +1")
    if step.reassign_team:
        actions.append(f"team {step.reassign_team.name}")
    return f"{when} → {', '.join(str(a) for a in actions) or 'nothing'}"


@admin.register(EscalationFired)
class EscalationFiredAdmin(ReadOnlyAdmin):
    """The audit of fired steps: written by the sweep only."""

    list_display = ["fired_at", "request", "step", "occurrence"]
    list_filter = ["step__policy"]
    list_select_related = ["request", "step__policy"]
    search_fields = ["request__tracking_number"]
    date_hierarchy = "fired_at"
    ordering = ["-fired_at"]
    readonly_fields = ["request", "step", "occurrence", "fired_at"]


# --- Priority score ------------------------------------------------------------------------------
# The weights (one row), keywords and sensitive places.


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


# --- Auto-assignment -----------------------------------------------------------------------------
# Crew zones: who owns which area for a "by zone" team. A team's strategy is set on the team
# itself (requests_app admin).


MEMBER_NOT_IN_TEAM = "%(member)s is not a member of %(team)s. Add them to the team first."


class CrewZoneForm(forms.ModelForm):
    class Meta:
        model = CrewZone
        fields = ["team", "area", "member"]

    def clean(self) -> dict:
        data = super().clean()
        team, member = data.get("team"), data.get("member")
        if (
            team is not None
            and member is not None
            and not team.members.filter(pk=member.pk).exists()
        ):
            self.add_error(
                "member", MEMBER_NOT_IN_TEAM % {"member": user_name(member), "team": team.name}
            )
        return data


@admin.register(CrewZone)
class CrewZoneAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    form = CrewZoneForm
    list_display = ["team", "area", "member", "member_on_duty"]
    list_filter = ["team__department", "team"]
    list_select_related = ["team__department", "area", "member__staff_profile"]
    search_fields = ["team__name", "area__name", "member__username", "member__first_name"]
    autocomplete_fields = ["team", "area", "member"]
    ordering = ["team", "area__name"]

    @admin.display(description="on duty", boolean=True)
    def member_on_duty(self, zone: CrewZone) -> bool | None:
        profile = getattr(zone.member, "staff_profile", None)
        return profile.on_duty if profile else None
