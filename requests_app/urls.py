from __future__ import annotations

from django.urls import path

from requests_app import views

app_name = "requests_app"

urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("report/categories/", views.report_categories, name="report_categories"),
    path("report/questions/", views.report_questions, name="report_questions"),
    path("report/assets/", views.report_assets, name="report_assets"),
    path("report/addresses/", views.address_search, name="address_search"),
    path("report/nearest/", views.address_nearest, name="address_nearest"),
    path("report/photos/", views.photo_upload, name="photo_upload"),
    path("requests/", views.browse, name="browse"),
    path("requests/find/", views.find, name="find"),
    path("requests/submitted/<str:token>/", views.confirmation, name="confirmation"),
    path("requests/private/<str:token>/", views.private, name="private"),
    path("requests/<str:tracking_number>/", views.tracker, name="tracker"),
    path("photos/<uuid:photo_uuid>/<str:size>.jpg", views.photo, name="photo"),
]
