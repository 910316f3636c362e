"""URLs for the closure survey (public, reached by its secret link)."""

from __future__ import annotations

from django.urls import path

from notifications import views_survey

urlpatterns: list = [
    path("survey/<str:token>/", views_survey.survey, name="survey"),
]
