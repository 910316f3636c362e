"""Admin for escalation policies (with their steps inline) and the read-only log of fired steps."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from routing.models import EscalationFired, EscalationPolicy, EscalationStep

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


class EscalationStepInline(admin.TabularInline):
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
class EscalationFiredAdmin(admin.ModelAdmin):
    """The audit of fired steps: written by the sweep only."""

    list_display = ["fired_at", "request", "step", "occurrence"]
    list_filter = ["step__policy"]
    list_select_related = ["request", "step__policy"]
    search_fields = ["request__tracking_number"]
    date_hierarchy = "fired_at"
    ordering = ["-fired_at"]
    readonly_fields = ["request", "step", "occurrence", "fired_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
