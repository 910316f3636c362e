"""Anyone can follow a public request by email or text: a confirmation link first (double
opt-in), then its public updates. The pages never reveal anything private."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from notifications.models import OutboxMessage, RequestSubscription
from notifications.resident import on_event
from notifications.views import FOLLOW_MAX_PER_ADDRESS
from requests_app.models import RequestEvent
from requests_app.services import request_comment, request_route
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sr(city):
    sr = submit(city)
    request_route(request=sr, department=city.streets)
    sr.refresh_from_db()
    return sr


def follow_url(sr) -> str:
    return reverse("notifications:follow", args=[sr.tracking_number])


def confirmation_link(message: OutboxMessage) -> str:
    return re.search(r"http://testserver(/follow/confirm/[^/]+/)", message.body_text)[1]


def test_the_tracker_offers_a_follow_form(client, sr):
    page = client.get(sr.get_absolute_url()).content.decode()
    assert 'id="follow"' in page and f'action="{follow_url(sr)}"' in page
    assert '<label for="id_contact">' in page


def test_following_by_email_sends_a_confirmation_link_and_nothing_else_yet(client, sr, staff):
    response = client.post(follow_url(sr), {"contact": "Neighbour@Example.com"})
    assert response.status_code == 302 and response["Location"] == follow_url(sr) + "?sent=1"
    subscription = RequestSubscription.objects.get(role="follower")
    assert (subscription.address, subscription.confirmed_at) == ("neighbour@example.com", None)
    message = OutboxMessage.objects.get(template="follow_confirm")
    assert message.recipient == "neighbour@example.com"
    assert sr.tracking_number in message.subject
    # Until confirmed, public updates do not reach them.
    event = request_comment(request=sr, actor=staff.agent, message="Booked.", public=True)
    on_event(event)
    assert not OutboxMessage.objects.filter(template="comment", recipient=message.recipient)


def test_confirming_the_link_starts_the_updates(client, sr, staff):
    client.post(follow_url(sr), {"contact": "neighbour@example.com"})
    link = confirmation_link(OutboxMessage.objects.get(template="follow_confirm"))
    page = client.get(link)
    assert page.status_code == 200 and "Confirm" in page.content.decode()
    assert RequestSubscription.objects.get(role="follower").confirmed_at is None  # GET is safe
    done = client.post(link).content.decode()
    assert 'data-testid="follow-confirmed"' in done
    event = request_comment(request=sr, actor=staff.agent, message="Booked.", public=True)
    on_event(event)
    assert OutboxMessage.objects.filter(template="comment", recipient="neighbour@example.com")


def test_following_by_mobile_number_sends_a_text(client, sr):
    client.post(follow_url(sr), {"contact": "(415) 555-0199"})
    message = OutboxMessage.objects.get(template="follow_confirm")
    assert (message.channel, message.recipient) == ("sms", "+14155550199")
    assert "/follow/confirm/" in message.body_text


def test_the_follower_language_is_the_page_language(client, sr):
    client.post(follow_url(sr), {"contact": "vecina@example.com"}, HTTP_ACCEPT_LANGUAGE="es")
    assert RequestSubscription.objects.get(role="follower").language == "es"
    assert OutboxMessage.objects.get(template="follow_confirm").language == "es"


def test_a_bad_address_is_explained_and_kept(client, sr):
    response = client.post(follow_url(sr), {"contact": "not an address"})
    page = response.content.decode()
    assert response.status_code == 422
    assert "Enter an email address" in page and 'value="not an address"' in page
    assert 'aria-invalid="true"' in page and 'role="alert"' in page
    assert not RequestSubscription.objects.exists()


def test_with_htmx_only_the_follow_section_comes_back(client, sr):
    response = client.post(
        follow_url(sr), {"contact": "neighbour@example.com"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section class="panel success" id="follow"')
    assert 'data-testid="follow-sent"' in page


def test_the_answer_is_the_same_for_an_address_already_on_the_request(client, sr):
    on_event(sr.events.get(type=RequestEvent.Type.CREATED))  # the reporter's subscription
    response = client.post(follow_url(sr), {"contact": "rosa@example.com"})
    assert response["Location"] == follow_url(sr) + "?sent=1"
    assert not OutboxMessage.objects.filter(template="follow_confirm").exists()
    assert RequestSubscription.objects.get().role == "reporter"


def test_follow_pages_show_nothing_private(client, sr):
    client.post(follow_url(sr), {"contact": "neighbour@example.com"})
    link = confirmation_link(OutboxMessage.objects.get(template="follow_confirm"))
    for page in (client.get(follow_url(sr)), client.get(link), client.post(link)):
        html = page.content.decode()
        for secret in ("Rosa", "rosa@example.com", "555", sr.private_token):
            assert secret not in html
    assert "neighbour@example.com" not in client.get(link).content.decode()  # masked


def test_unknown_tokens_and_requests_are_not_found(client, sr):
    assert client.get("/follow/confirm/not-a-token/").status_code == 404
    assert client.post("/follow/confirm/not-a-token/").status_code == 404
    assert client.get(reverse("notifications:follow", args=["2501-0000"])).status_code == 404


def test_a_reporter_token_is_not_a_follow_link(client, sr):
    on_event(sr.events.get(type=RequestEvent.Type.CREATED))
    token = RequestSubscription.objects.get(role="reporter").token
    assert client.get(reverse("notifications:follow_confirm", args=[token])).status_code == 404


def test_one_address_cannot_be_flooded_with_confirmations(client, city, sr):
    others = [submit(city) for _ in range(FOLLOW_MAX_PER_ADDRESS + 1)]
    statuses = [
        client.post(follow_url(other), {"contact": "victim@example.com"}).status_code
        for other in others
    ]
    assert statuses == [302] * FOLLOW_MAX_PER_ADDRESS + [429]
    assert OutboxMessage.objects.filter(template="follow_confirm").count() == FOLLOW_MAX_PER_ADDRESS


def test_one_client_cannot_follow_endlessly(client, sr, settings):
    responses = [client.post(follow_url(sr), {"contact": f"n{i}@example.com"}) for i in range(11)]
    assert [r.status_code for r in responses[:10]] == [302] * 10
    assert responses[10].status_code == 429
    assert "Too many requests" in responses[10].content.decode()


def test_with_htmx_an_error_comes_back_as_a_fragment_htmx_will_swap(client, sr):
    response = client.post(follow_url(sr), {"contact": "nope"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200  # htmx ignores 4xx bodies
    assert page.lstrip().startswith('<section class="panel" id="follow"')
    assert 'role="alert"' in page and 'value="nope"' in page
