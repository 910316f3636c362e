"""The development mailbox: only on development sites and only for city admins (it shows every
resident's address and number, and replies as them); it lists the outbox newest first, and a reply
written there shows on the request."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.models import InboundMessage, OutboxMessage
from notifications.outbox import outbox_queue
from requests_app.models import RequestEvent, ServiceRequest
from requests_app.services import Reporter
from tests.images import upload
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db
MAILBOX = reverse("notifications:dev_mailbox")
NEW_SMS = reverse("notifications:dev_mailbox_sms")


def reply_url(message: OutboxMessage) -> str:
    return reverse("notifications:dev_mailbox_reply", args=[message.pk])


def receipt(sr) -> OutboxMessage:
    """An update email to the reporter, queued the way every producer queues one."""
    return outbox_queue(
        channel="email",
        recipient=sr.reporter_email,
        template="received",
        language="en",
        subject=f"We received your report {sr.tracking_number}",
        body_text="Thank you for your report.",
        request=sr,
        dedupe_key=f"test:{sr.pk}",
    )


def test_it_is_not_there_when_disabled(client, staff, settings):
    settings.DEV_MAILBOX = False
    client.force_login(staff.city_admin)
    assert client.get(MAILBOX).status_code == 404
    assert client.post(NEW_SMS, {"phone": "+14155550177", "body": "HELP"}).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, city):
    response = client.get(MAILBOX)
    assert response.status_code == 302
    assert reverse("staff:login") in response["Location"]
    sr = submit(city)
    response = client.post(reply_url(receipt(sr)), {"text": "Sneaky"})
    assert response.status_code == 302
    assert not RequestEvent.objects.filter(type="resident_comment").exists()


def test_signed_in_non_staff_are_refused(client, django_user_model):
    user = django_user_model.objects.create_user("resident", password="pw")
    client.force_login(user)
    assert client.get(MAILBOX).status_code == 403


@pytest.mark.parametrize("role", ["agent", "operator", "supervisor"])
def test_staff_other_than_city_admins_cannot_read_or_reply_as_residents(client, city, staff, role):
    sr = submit(city)
    message = receipt(sr)
    client.force_login(getattr(staff, role))
    page = client.get(MAILBOX)
    assert page.status_code == 403
    assert "rosa@example.com" not in page.content.decode()
    assert client.post(reply_url(message), {"text": "Forged reply"}).status_code == 403
    assert client.post(NEW_SMS, {"phone": "+14155550177", "body": "HELP"}).status_code == 403
    assert not InboundMessage.objects.exists()
    assert not RequestEvent.objects.filter(type="resident_comment").exists()


def test_city_admins_see_the_latest_messages_with_a_reply_form(client, city, staff):
    first = submit(city, description="First")
    second = submit(
        city,
        description="Second",
        reporter=Reporter(
            name="Lee", email="lee@example.com", contact_method="email", anonymous=False
        ),
    )
    receipt(first)
    receipt(second)
    client.force_login(staff.city_admin)
    page = client.get(MAILBOX).content.decode()
    assert page.index(second.tracking_number) < page.index(first.tracking_number)
    assert "rosa@example.com" in page
    assert reply_url(OutboxMessage.objects.get(request=first)) in page

    filtered = client.get(MAILBOX, {"to": "lee@"}).content.decode()
    assert "lee@example.com" in filtered and "rosa@example.com" not in filtered


def test_a_reply_from_the_mailbox_shows_on_the_request(client, city, staff):
    from requests_app.services import request_route

    sr = submit(city)
    request_route(request=sr, department=city.streets)
    client.force_login(staff.city_admin)
    response = client.post(
        reply_url(receipt(sr)),
        {"text": "It is next to the bus stop.", "photo": upload(), "next": MAILBOX},
        follow=True,
    )
    assert f"Reply added to request {sr.tracking_number}" in response.content.decode()
    # On the staff page; not on the public tracker (emails carry signatures).
    staff_page = client.get(f"/staff/requests/{sr.tracking_number}/").content.decode()
    assert "It is next to the bus stop." in staff_page
    assert "It is next to the bus stop." not in client.get(sr.get_absolute_url()).content.decode()
    assert sr.photos.count() == 1
    assert ServiceRequest.objects.get(pk=sr.pk).resident_replied_at is not None
    assert InboundMessage.objects.get().outcome == "threaded"


def test_an_empty_reply_is_refused_with_a_message(client, city, staff):
    sr = submit(city)
    client.force_login(staff.city_admin)
    response = client.post(reply_url(receipt(sr)), {"text": " "}, follow=True)
    assert "Write a reply or attach a photo." in response.content.decode()
    assert not InboundMessage.objects.exists()


def test_a_text_message_to_311_starts_a_report_and_the_answer_is_listed(client, city, staff):
    client.force_login(staff.city_admin)
    response = client.post(
        NEW_SMS, {"phone": "+1 415 555 0177", "body": "pothole on my street"}, follow=True
    )
    page = response.content.decode()
    assert "where is it?" in page
    answer = OutboxMessage.objects.get(template="sms_reply")
    assert answer.recipient == "+14155550177"
    # The answer can itself be replied to from the mailbox, continuing the conversation.
    client.post(reply_url(answer), {"text": "1 Market St"})
    client.post(
        reply_url(OutboxMessage.objects.filter(template="sms_reply").first()), {"text": "SKIP"}
    )
    sr = ServiceRequest.objects.get()
    assert (sr.channel, str(sr.reporter_phone)) == ("sms", "+14155550177")


def test_an_invalid_phone_number_is_explained(client, city, staff):
    client.force_login(staff.city_admin)
    response = client.post(NEW_SMS, {"phone": "12", "body": "hello"}, follow=True)
    assert "phone number" in response.content.decode().lower()
    assert not InboundMessage.objects.exists()


def test_the_staff_navigation_links_to_the_mailbox_only_for_city_admins(client, staff):
    client.force_login(staff.supervisor)
    assert "/dev/mailbox/" not in client.get("/staff/notifications/").content.decode()


def test_the_staff_navigation_links_to_the_mailbox_only_when_it_is_on(client, staff, settings):
    client.force_login(staff.city_admin)
    assert "/dev/mailbox/" in client.get("/staff/notifications/").content.decode()
    settings.DEV_MAILBOX = False
    assert "/dev/mailbox/" not in client.get("/staff/notifications/").content.decode()


def test_each_message_says_what_it_is_about_and_its_language_in_words(client, city, staff):
    sr = submit(city)
    receipt(sr)
    outbox_queue(
        channel="email",
        recipient="ada@example.com",
        template="staff_new_request",
        language="es",
        subject="Nueva solicitud",
        body_text="Hay una nueva solicitud.",
        request=sr,
        dedupe_key=f"test-staff:{sr.pk}",
    )
    client.force_login(staff.city_admin)
    html = client.get(MAILBOX).content.decode()
    assert "Report received · English" in html and "Staff: new request · Spanish" in html
    assert "staff_new_request ·" not in html and "received · en" not in html
    client.cookies["django_language"] = "es"
    html = client.get(MAILBOX).content.decode()
    assert "Reporte recibido · Inglés" in html and "· Español" in html
