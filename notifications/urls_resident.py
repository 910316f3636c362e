"""URLs for the resident part of messaging."""

from __future__ import annotations

from django.urls import path

from notifications import views_resident

urlpatterns: list = [
    path("requests/<str:tracking_number>/follow/", views_resident.follow, name="follow"),
    path("follow/confirm/<str:token>/", views_resident.follow_confirm, name="follow_confirm"),
    path("unsubscribe/<str:token>/", views_resident.unsubscribe, name="unsubscribe"),
    path(
        "requests/private/<str:token>/updates/",
        views_resident.preferences,
        name="preferences",
    ),
]
