"""Messaging URLs, one list per part (resident pages, inbound webhooks, staff settings...)."""

from __future__ import annotations

from notifications.urls_inbound import urlpatterns as inbound
from notifications.urls_resident import urlpatterns as resident
from notifications.urls_staff import urlpatterns as staff
from notifications.urls_survey import urlpatterns as survey

app_name = "notifications"
urlpatterns = [*resident, *inbound, *staff, *survey]
