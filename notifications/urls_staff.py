"""URLs for the staff part of messaging."""

from __future__ import annotations

from django.urls import path

from notifications import views_staff

urlpatterns: list = [
    path("staff/notifications/", views_staff.staff_preferences, name="staff_preferences"),
]
