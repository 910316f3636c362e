"""Messaging URLs: resident pages, the closure survey, staff settings, inbound webhooks and the
development mailbox."""

from __future__ import annotations

from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("requests/<str:tracking_number>/follow/", views.follow, name="follow"),
    path("follow/confirm/<str:token>/", views.follow_confirm, name="follow_confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("requests/private/<str:token>/updates/", views.preferences, name="preferences"),
    path("inbound/email/", views.inbound_email, name="inbound_email"),
    path("inbound/sms/", views.inbound_sms, name="inbound_sms"),
    path("dev/mailbox/", views.dev_mailbox, name="dev_mailbox"),
    path("dev/mailbox/sms/", views.dev_mailbox_sms, name="dev_mailbox_sms"),
    path("dev/mailbox/<int:message_id>/reply/", views.dev_mailbox_reply, name="dev_mailbox_reply"),
    path("staff/notifications/", views.staff_preferences, name="staff_preferences"),
    path("survey/<str:token>/", views.survey, name="survey"),
]
