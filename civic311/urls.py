from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from civic311.health import health, health_full

# A database outage anywhere becomes the translated 503 page, any other crash the 500 page, both
# rendered without the database (civic311.faults). 400, 403 and 404 render templates/400.html,
# 403.html and 404.html in the resident site's look, or the back office's under /staff/.
handler500 = "civic311.faults.server_error"
handler400 = "civic311.faults.bad_request"
handler403 = "civic311.faults.permission_denied"
handler404 = "civic311.faults.page_not_found"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("health/", health, name="health"),
    path("health/full/", health_full, name="health_full"),
    path("staff/", include("staff.urls")),
    path("", include("notifications.urls")),
    path("", include("requests_app.urls")),
]
