"""The outbox in admin: one request's messages by searching its tracking number, resend for
failed ones, and opt-outs changed only with a log entry."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.models import ContactPreference, OptOutLog, OutboxMessage
from tests.notifications.helpers import message_queue
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db


def queue(sr, recipient: str, status: str = "queued") -> OutboxMessage:
    message = message_queue(
        recipient=recipient,
        subject="Received",
        body_text="Thanks",
        request=sr,
        dedupe_key=f"test:{recipient}",
    )
    OutboxMessage.objects.filter(pk=message.pk).update(status=status, last_error="550 no user")
    return message


def test_searching_a_tracking_number_lists_that_requests_messages(admin_client, city):
    first, second = submit(city), submit(city)
    queue(first, "one@example.com", "sent")
    queue(second, "two@example.com", "failed")
    url = reverse("admin:notifications_outboxmessage_changelist")
    page = admin_client.get(url, {"q": first.tracking_number}).content.decode()
    assert "one@example.com" in page and "two@example.com" not in page
    page = admin_client.get(url, {"status__exact": "failed"}).content.decode()
    assert "two@example.com" in page and "550 no user" in page


def test_the_resend_action_requeues_failed_messages_only(
    admin_client, city, django_capture_on_commit_callbacks
):
    sr = submit(city)
    failed = queue(sr, "two@example.com", "failed")
    sent = queue(sr, "one@example.com", "sent")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:notifications_outboxmessage_changelist"),
            {"action": "resend", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )
    page = response.content.decode()
    assert "1 message queued again." in page
    assert f"#{sent.pk}: Only failed or suppressed messages can be sent again." in page
    failed.refresh_from_db()
    assert failed.status == "sent"


def test_staff_opt_in_from_admin_is_logged(admin_client):
    pref = ContactPreference.objects.create(channel="sms", address="+14155550134", opted_out=True)
    admin_client.post(
        reverse("admin:notifications_contactpreference_changelist"),
        {"action": "opt_in", "_selected_action": [pref.pk]},
    )
    pref.refresh_from_db()
    assert not pref.opted_out
    log = OptOutLog.objects.get()
    assert (log.action, log.source, log.address) == ("opt_in", "staff", "+14155550134")
