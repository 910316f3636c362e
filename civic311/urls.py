from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from civic311.health import health, health_full

# A database outage anywhere becomes the translated 503 page, any other crash the 500 page, both
# rendered without the database (civic311.faults). 400, 403 and 404 are Django's own views with
# templates/400.html, 403.html and 404.html.
handler500 = "civic311.faults.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("health/", health, name="health"),
    path("health/full/", health_full, name="health_full"),
    path("staff/", include("staff.urls")),
    path("", include("notifications.urls")),
    path("", include("requests_app.urls")),
]
