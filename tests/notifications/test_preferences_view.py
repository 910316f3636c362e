"""From their private link, the reporter chooses email, text messages, both or none for their
request; the next update follows the choice."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from notifications.models import ContactPreference, OptOutLog, OutboxMessage, RequestSubscription
from notifications.outbox import contact_preference_set
from notifications.resident import on_event
from requests_app.models import RequestEvent
from requests_app.services import Reporter, contact_confirm, request_comment, request_route
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def sr(city):
    sr = submit(city)
    on_event(sr.events.get(type=RequestEvent.Type.CREATED))
    request_route(request=sr, department=city.streets)
    sr.refresh_from_db()
    return sr


def url(sr) -> str:
    return reverse("notifications:preferences", args=[sr.private_token])


def next_update(sr, staff) -> list[tuple[str, str]]:
    event = request_comment(request=sr, actor=staff.agent, message="Booked.", public=True)
    on_event(event)
    return sorted(OutboxMessage.objects.filter(event=event).values_list("channel", "recipient"))


def test_the_private_page_links_to_the_preferences(client, sr):
    page = client.get(reverse("requests_app:private", args=[sr.private_token])).content.decode()
    assert url(sr) in page


def test_it_shows_the_current_choice(client, sr):
    page = client.get(url(sr)).content.decode()
    checked = re.findall(r'<input type="radio" name="choice" value="(\w+)"[^>]*checked', page)
    assert checked == ["email"]
    assert "r•••@example.com" in page
    assert 'value="+14155550134"' in page


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("email", [("email", "rosa@example.com")]),
        ("sms", [("sms", "+14155550134")]),
        ("both", [("email", "rosa@example.com"), ("sms", "+14155550134")]),
        ("none", []),
    ],
)
def test_the_next_update_follows_the_choice(client, sr, staff, choice, expected):
    response = client.post(url(sr), {"choice": choice, "phone": "+14155550134"})
    assert response.status_code == 302 and response["Location"] == url(sr) + "?saved=1"
    assert next_update(sr, staff) == expected


def test_a_phone_number_can_be_added_for_texts(client, city, staff):
    # She confirmed her email from one of our messages, so the private link is hers (issue 10:
    # tests/requests_app/test_intake_limits.py covers the link in someone else's hands).
    contact_confirm(channel="email", address="nophone@example.com")
    sr = submit(
        city,
        reporter=Reporter(email="nophone@example.com", contact_method="email", anonymous=False),
    )
    client.post(url(sr), {"choice": "sms", "phone": "(415) 555-0111"})
    assert next_update(sr, staff) == [("sms", "+14155550111")]
    sr.refresh_from_db()
    assert not sr.reporter_phone  # kept on the subscription only


def test_texts_need_a_number_and_email_needs_an_address_on_file(client, city):
    sr = submit(city, reporter=Reporter(name="Sam", contact_method="none", anonymous=False))
    response = client.post(url(sr), {"choice": "both", "phone": ""})
    page = response.content.decode()
    assert response.status_code == 422
    assert "We have no email address for this request" in page
    assert "Enter a mobile number to get text messages." in page
    assert 'aria-invalid="true"' in page
    assert not RequestSubscription.objects.filter(request=sr).exists()


def test_an_invalid_phone_number_is_refused_with_the_input_kept(client, sr):
    response = client.post(url(sr), {"choice": "sms", "phone": "12"})
    assert response.status_code == 422
    assert 'value="12"' in response.content.decode()


def test_choosing_email_again_lifts_an_earlier_stop_everything(client, sr, staff):
    contact_preference_set(
        channel="email", address="rosa@example.com", opted_out=True, source="email-link"
    )
    page = client.get(url(sr)).content.decode()
    assert "You asked us to stop all email to this address" in page
    client.post(url(sr), {"choice": "email"})
    assert not ContactPreference.objects.get(address="rosa@example.com").opted_out
    assert OptOutLog.objects.filter(action="opt_in", source="preferences-page").exists()
    assert next_update(sr, staff) == [("email", "rosa@example.com")]


def test_a_wrong_token_is_not_found(client, sr):
    bad = reverse("notifications:preferences", args=["x" * 64])
    assert client.get(bad).status_code == 404
