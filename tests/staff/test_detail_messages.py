"""The "Messages" panel on the staff request page: what was sent about the request and how it
went, for those who may see the resident's contact details, with "Send again" for failures."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications import transports
from notifications.models import ContactPreference, OutboxMessage
from notifications.sending import RESEND_NOT_FAILED
from requests_app.services import request_route
from tests.notifications.helpers import message_queue
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(queued):
    message = message_queue(
        channel="sms",
        recipient="+14155550134",
        template="status_in_progress",
        body_text="A crew is on it.",
        request=queued,
    )
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.FAILED,
        permanent_failure=True,
        attempts=1,
        last_error="Twilio 400 (code 21211): invalid number",
    )
    return message


def detail(client, sr) -> str:
    response = client.get(reverse("staff:detail", args=[sr.tracking_number]))
    assert response.status_code == 200
    return response.content.decode()


def resend_url(sr, message) -> str:
    return reverse("staff:message_resend", args=[sr.tracking_number, message.pk])


def test_department_staff_see_each_message_and_how_it_went(client, staff, queued, failed):
    client.force_login(staff.agent)
    html = detail(client, queued)
    assert 'data-testid="message-log"' in html
    for text in ("Text message", "+14155550134", "status_in_progress", "Failed", "code 21211"):
        assert text in html
    assert resend_url(queued, failed) in html


def test_staff_of_other_departments_do_not_see_recipients(client, staff, queued, failed):
    client.force_login(staff.parks_agent)
    html = detail(client, queued)
    assert 'data-testid="message-log"' not in html
    assert "code 21211" not in html
    assert resend_url(queued, failed) not in html


def test_a_failed_message_is_sent_again(
    client, staff, queued, failed, django_capture_on_commit_callbacks
):
    transports.outbox.clear()
    client.force_login(staff.agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url(queued, failed))
    assert response.status_code == 303
    failed.refresh_from_db()
    assert failed.status == OutboxMessage.Status.SENT
    assert [s.body for s in transports.outbox] == ["A crew is on it."]
    transports.outbox.clear()
    assert "The message will be sent again." in detail(client, queued)


def test_a_message_that_did_not_fail_is_not_sent_again(client, staff, queued, failed):
    OutboxMessage.objects.filter(pk=failed.pk).update(status=OutboxMessage.Status.SENT)
    client.force_login(staff.agent)
    response = client.post(resend_url(queued, failed), follow=True)
    assert RESEND_NOT_FAILED in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == OutboxMessage.Status.SENT
    assert 'action="' + resend_url(queued, failed) not in response.content.decode()


def test_a_message_to_someone_who_opted_out_is_not_sent_again(client, staff, queued, failed):
    ContactPreference.objects.create(channel="sms", address="+14155550134", opted_out=True)
    client.force_login(staff.agent)
    response = client.post(resend_url(queued, failed), follow=True)
    assert "opted out" in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == OutboxMessage.Status.FAILED


def test_other_departments_cannot_resend(client, staff, queued, failed):
    client.force_login(staff.parks_agent)
    assert client.post(resend_url(queued, failed)).status_code == 403
    failed.refresh_from_db()
    assert failed.status == OutboxMessage.Status.FAILED


def test_a_message_about_another_request_cannot_be_resent_through_this_one(
    city, client, staff, queued, failed
):
    other = submit(city)
    request_route(request=other, department=city.streets)
    client.force_login(staff.agent)
    assert client.post(resend_url(other, failed)).status_code == 404


def test_resend_is_post_only_and_for_staff(client, staff, queued, failed):
    assert client.post(resend_url(queued, failed)).status_code == 302  # to the login page
    client.force_login(staff.agent)
    assert client.get(resend_url(queued, failed)).status_code == 405


def test_the_log_names_messages_in_words_and_tells_digest_items_apart(client, staff, queued):
    for status in (OutboxMessage.Status.QUEUED, OutboxMessage.Status.SUPPRESSED):
        message = message_queue(
            recipient="sam@example.org",
            template="staff_new_request",
            body_text="New request",
            request=queued,
            digest=True,
        )
        OutboxMessage.objects.filter(pk=message.pk).update(status=status)
    client.force_login(staff.agent)
    html = detail(client, queued)
    assert "Staff: new request" in html and "staff_new_request" not in html
    assert "Waiting for the next digest" in html and "Sent in a digest" in html
    assert "Not sent (opted out)" not in html
