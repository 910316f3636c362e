"""Every email carries a one-click unsubscribe link: a page with a button, RFC 8058 one-click
POSTs from mail clients, and an offer to stop everything to the address (recorded)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from notifications.models import ContactPreference, OptOutLog, OutboxMessage, RequestSubscription
from notifications.resident import on_event
from notifications.sending import message_send
from requests_app.models import RequestEvent
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscription(city):
    sr = submit(city)
    on_event(sr.events.get(type=RequestEvent.Type.CREATED))
    return RequestSubscription.objects.get()


def url(subscription) -> str:
    return reverse("notifications:unsubscribe", args=[subscription.token])


def test_the_page_says_what_will_stop_and_changes_nothing_by_itself(client, subscription):
    page = client.get(url(subscription)).content.decode()
    assert subscription.request.tracking_number in page
    assert "r•••@example.com" in page and "rosa@example.com" not in page
    assert "Stop these updates" in page
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is None


def test_the_button_stops_this_request_and_offers_to_stop_everything(client, subscription):
    page = client.post(url(subscription), {"action": "this"}).content.decode()
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None
    assert 'data-testid="unsubscribed"' in page
    assert 'name="action" value="all"' in page
    assert not OptOutLog.objects.exists()


def test_a_mail_client_one_click_post_needs_no_csrf_token(subscription):
    client = Client(enforce_csrf_checks=True)
    response = client.post(url(subscription), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None


def test_stopping_everything_is_recorded_and_suppresses_later_messages(client, subscription, city):
    client.post(url(subscription), {"action": "all"})
    assert ContactPreference.objects.get(address="rosa@example.com").opted_out
    log = OptOutLog.objects.get()
    assert (log.action, log.source, log.channel, log.request) == (
        "opt_out",
        "email-link",
        "email",
        subscription.request,
    )
    # Another request from the same person: its receipt is suppressed, not sent.
    other = submit(city)
    on_event(other.events.get(type=RequestEvent.Type.CREATED))
    assert OutboxMessage.objects.get(request=other).status == OutboxMessage.Status.SUPPRESSED
    page = client.get(url(subscription)).content.decode()
    assert 'data-testid="unsubscribed-all"' in page


def test_an_unknown_token_is_not_found(client, subscription):
    assert client.get("/unsubscribe/nope/").status_code == 404
    assert client.post("/unsubscribe/nope/").status_code == 404


def test_emails_name_the_one_click_link_in_their_headers(subscription, mailoutbox):
    message = OutboxMessage.objects.get()
    assert message_send(message_id=message.pk)
    headers = mailoutbox[-1].extra_headers
    assert headers["List-Unsubscribe"] == f"<http://testserver{url(subscription)}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
