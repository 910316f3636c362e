"""Admins edit message templates per kind × channel × language, with a live preview on a sample
request, and can start from the default wording. Saved templates are what residents get."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from notifications.models import MessageTemplate, OutboxMessage, RequestSubscription
from notifications.resident import on_event
from requests_app.models import RequestEvent
from requests_app.services import request_comment, request_route
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db

PREVIEW = reverse("admin:notifications_messagetemplate_preview")
DEFAULT = reverse("admin:notifications_messagetemplate_default")


@pytest.fixture
def sr(city):
    return submit(city)


def preview(admin_client, **data) -> str:
    return admin_client.post(PREVIEW, data).content.decode()


def test_the_change_page_offers_preview_and_load_default(admin_client):
    page = admin_client.get(reverse("admin:notifications_messagetemplate_add")).content.decode()
    assert 'id="template-preview-button"' in page and 'id="template-default-button"' in page
    assert '<option value="resolved">' in page  # kinds with a default, for the kind field


def test_the_preview_renders_unsaved_text_on_the_latest_request(admin_client, sr):
    response = admin_client.post(
        PREVIEW,
        {
            "kind": "comment",
            "channel": "email",
            "language": "es",
            "subject": "Novedades de {{ tracking_number }}",
            "body_text": "{{ category_name }}: {{ message }} <b>bold</b>",
            "body_html": "<p>{{ category_name }} <script>alert(1)</script></p>",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Novedades de {sr.tracking_number}" in page
    assert "Bache:" in page  # the category in the template's language
    # The HTML goes into a sandboxed iframe, escaped into srcdoc: it cannot run in the admin.
    assert 'sandbox=""' in page and "srcdoc=" in page
    assert "<script>alert(1)</script>" not in page
    assert html.escape("<script>") in page
    assert "<b>bold</b>" not in page  # the plain text is shown as text
    assert not MessageTemplate.objects.exists()


def test_an_empty_body_previews_the_default_wording(admin_client, sr):
    page = preview(admin_client, kind="received", channel="email", language="en")
    assert f"We received your report {sr.tracking_number}" in page


def test_a_text_message_preview_counts_its_segments(admin_client, sr):
    page = preview(admin_client, kind="resolved", channel="sms", language="en", body_text="")
    assert 'id="preview-sms"' in page and "segment" in page and "GSM-7" in page
    assert f"/requests/{sr.tracking_number}/" in page


def test_a_template_error_is_shown_not_raised(admin_client, sr):
    page = preview(
        admin_client, kind="comment", channel="email", language="en", body_text="{% if %}"
    )
    assert "Template error" in page


def test_the_preview_works_before_any_request_exists(admin_client, city):
    page = preview(admin_client, kind="in_progress", channel="email", language="en")
    assert "Work has started on request 2501-1234" in page


def test_load_default_returns_the_file_templates(admin_client):
    data = admin_client.get(DEFAULT, {"kind": "resolved", "channel": "email"}).json()
    assert "blocktranslate" in data["subject"]
    assert "closure_text" in data["body_text"] and "evidence_photos" in data["body_html"]
    sms = admin_client.get(DEFAULT, {"kind": "resolved", "channel": "sms"}).json()
    assert sms["subject"] == "" and "tracker_url" in sms["body_text"]


def test_a_template_saved_in_admin_is_what_residents_get(admin_client, city, staff, sr):
    response = admin_client.post(
        reverse("admin:notifications_messagetemplate_add"),
        {
            "kind": "comment",
            "channel": "email",
            "language": "en",
            "active": "on",
            "subject": "News about {{ tracking_number }}",
            "body_text": "{{ message }} Stop: {{ unsubscribe_url }}",
            "body_html": "",
        },
    )
    assert response.status_code == 302
    on_event(sr.events.get(type=RequestEvent.Type.CREATED))
    request_route(request=sr, department=city.streets)
    event = request_comment(request=sr, actor=staff.agent, message="Booked.", public=True)
    on_event(event)
    message = OutboxMessage.objects.get(event=event)
    assert message.subject == f"News about {sr.tracking_number}"
    assert message.body_text.startswith("Booked. Stop: http://testserver/unsubscribe/")


def test_people_who_are_not_admins_cannot_preview(client, staff):
    assert client.post(PREVIEW, {"kind": "comment"}).status_code == 302  # to the admin login
    client.force_login(staff.agent)
    assert client.post(PREVIEW, {"kind": "comment"}).status_code == 302
    client.force_login(staff.city_admin)  # staff, but no permission on templates
    assert client.post(PREVIEW, {"kind": "comment"}).status_code == 403
    assert client.get(DEFAULT, {"kind": "comment", "channel": "email"}).status_code == 403


def test_subscriptions_can_be_found_by_tracking_number(admin_client, sr):
    on_event(sr.events.get(type=RequestEvent.Type.CREATED))
    page = admin_client.get(
        reverse("admin:notifications_requestsubscription_changelist"),
        {"q": sr.tracking_number},
    ).content.decode()
    assert RequestSubscription.objects.get().address in page
