"""Admin for auto-assignment: crew zones (who owns which area for a "by zone" team). A team's
strategy is set on the team itself (requests_app admin)."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from routing.assignment import user_name
from routing.models import CrewZone

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
class CrewZoneAdmin(admin.ModelAdmin):
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
