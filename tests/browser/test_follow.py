"""Following a request from a phone: the form on the tracker, a clear answer without a page
load, then the confirmation link (double opt-in)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from notifications.models import OutboxMessage, RequestSubscription
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.browser


def test_a_neighbour_follows_a_request_from_a_phone(
    phone_page, live_server, city, assert_accessible
):
    page = phone_page
    sr = submit(city)
    page.goto(live_server.url + sr.get_absolute_url())
    follow = page.locator("#follow")
    follow.get_by_role("button", name="Follow this request").click()
    expect(follow.get_by_role("alert")).to_contain_text("Enter an email address")
    assert_accessible(page, "the follow form with an error")

    field = page.get_by_label("Email address or mobile number")
    field.fill("neighbour@example.com")
    field.press("Enter")
    expect(page.get_by_test_id("follow-sent")).to_contain_text("we sent you a link")
    assert_accessible(page, "the tracker after following")
    assert RequestSubscription.objects.get(role="follower").confirmed_at is None

    body = OutboxMessage.objects.get(template="follow_confirm").body_text
    link = re.search(r"http://testserver(/follow/confirm/\S+/)", body)[1]
    page.goto(live_server.url + link)
    page.get_by_role("button", name="Confirm: send me its updates").click()
    expect(page.get_by_test_id("follow-confirmed")).to_contain_text("Done.")
    assert_accessible(page, "the follow confirmation")
    assert RequestSubscription.objects.get(role="follower").active
