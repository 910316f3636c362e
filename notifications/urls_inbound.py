"""URLs for the inbound part of messaging: webhooks and the development mailbox."""

from __future__ import annotations

from django.urls import path

from notifications import views_inbound

urlpatterns: list = [
    path("inbound/email/", views_inbound.inbound_email, name="inbound_email"),
    path("inbound/sms/", views_inbound.inbound_sms, name="inbound_sms"),
    path("dev/mailbox/", views_inbound.dev_mailbox, name="dev_mailbox"),
    path("dev/mailbox/sms/", views_inbound.dev_mailbox_sms, name="dev_mailbox_sms"),
    path(
        "dev/mailbox/<int:message_id>/reply/",
        views_inbound.dev_mailbox_reply,
        name="dev_mailbox_reply",
    ),
]
