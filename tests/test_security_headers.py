"""Response headers a shared computer or a proxy would otherwise get wrong: pages with a resident's
contact details, private links and staff work are never stored (`Cache-Control: no-store`);
a photo staged on the report form is served only to the browser that staged it, and not cached."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from notifications.models import OutboxMessage
from notifications.outbox import outbox_queue
from requests_app.models import Photo
from tests.images import upload
from tests.requests_app.helpers import routed, submit

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return "no-store" in directives and "public" not in directives


def test_the_staff_queue_and_detail_page_are_not_stored(client, city, staff):
    sr = routed(city)
    client.force_login(staff.agent)
    queue = client.get(reverse("staff:queue"))
    detail = client.get(reverse("staff:detail", args=[sr.tracking_number]))
    assert detail.status_code == 200 and sr.reporter_email in detail.content.decode()
    assert no_store(queue)
    assert no_store(detail)


def test_the_staff_sign_in_page_is_not_stored(client, city):
    assert no_store(client.get(reverse("staff:login")))


def test_the_private_link_page_is_not_stored(client, city):
    sr = submit(city)
    response = client.get(reverse("requests_app:private", args=[sr.private_token]))
    assert response.status_code == 200
    assert no_store(response)


def test_the_private_link_update_preferences_are_not_stored(client, city):
    sr = submit(city)
    response = client.get(reverse("notifications:preferences", args=[sr.private_token]))
    assert response.status_code == 200
    assert no_store(response)


def test_the_confirmation_page_is_not_stored(client, city):
    sr = submit(city)
    response = client.get(reverse("requests_app:confirmation", args=[sr.private_token]))
    assert response.status_code == 200
    assert no_store(response)


def test_the_review_step_showing_the_residents_email_is_not_stored(client, city):
    from tests.requests_app.test_report_view import form_data

    response = client.post(reverse("requests_app:report"), form_data(city, action="review"))
    assert response.status_code == 200
    assert "@" in response.content.decode()
    assert no_store(response)


def test_the_dev_mailbox_is_not_stored(client, city, staff):
    sr = submit(city)
    outbox_queue(
        channel=OutboxMessage.Channel.EMAIL,
        recipient=sr.reporter_email,
        template="received",
        language="en",
        subject="Received",
        body_text="Thanks",
        request=sr,
        dedupe_key="t",
    )
    client.force_login(staff.city_admin)
    response = client.get(reverse("notifications:dev_mailbox"))
    assert sr.reporter_email in response.content.decode()
    assert no_store(response)


def test_public_pages_may_still_be_cached(client, city):
    sr = submit(city)
    for url in (reverse("requests_app:home"), sr.get_absolute_url()):
        assert not no_store(client.get(url)), url


# --- Staged photos ------------------------------------------------------------------------------


def stage(client: Client) -> Photo:
    draft = uuid.uuid4()
    response = client.post(
        reverse("requests_app:photo_upload"), {"idempotency_key": str(draft), "photos": upload()}
    )
    assert response.status_code == 200
    return Photo.objects.get(draft_key=draft)


def test_a_staged_photo_is_shown_to_the_resident_who_staged_it_and_not_cached(client, city):
    photo = stage(client)
    for size in ("full", "thumb"):
        response = client.get(reverse("requests_app:photo", args=[photo.uuid, size]))
        assert response.status_code == 200
        assert no_store(response)
        assert "private" in response["Cache-Control"]


def test_a_staged_photo_is_not_shown_to_anyone_else(client, city):
    photo = stage(client)
    stranger = Client()
    for size in ("full", "thumb"):
        response = stranger.get(reverse("requests_app:photo", args=[photo.uuid, size]))
        assert response.status_code == 404
