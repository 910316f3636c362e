from __future__ import annotations

from django.contrib import admin

from routing.models import BusinessCalendar, CalendarClosure, SlaTarget, WorkingHours


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
