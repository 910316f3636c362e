"""Following a request: the public tracker found from the home page, and the resident's private
link from the confirmation page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.requests_app.helpers import submit

pytestmark = pytest.mark.browser


def test_the_find_box_opens_a_tracker_that_hides_the_reporter(
    page, live_server, city, assert_accessible
):
    sr = submit(city)  # reported by Rosa Martínez, rosa@example.com, +1 415 555 0134
    page.goto(live_server.url + "/")
    page.get_by_label("Tracking number").fill(sr.tracking_number)
    page.get_by_role("button", name="Find").click()
    expect(page).to_have_url(live_server.url + sr.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pothole")
    expect(page.get_by_test_id("status")).to_have_text("In queue")
    expect(page.locator(".pipeline")).to_contain_text("Routed to Streets")
    html = page.content()
    for private in ("Rosa", "Martínez", "rosa@example.com", sr.private_token):
        assert private not in html
    # Her number, in the page's words (the markup also holds random names and numbers, where
    # its digits can turn up by chance).
    text = page.inner_text("body").replace(sr.tracking_number, "")
    for digits in ("555", "0134"):
        assert digits not in text
    for number in ("555 0134", "5550134", "555-0134"):  # and anywhere in the markup
        assert number not in html
    assert_accessible(page, "the public tracker")

    page.get_by_label("Tracking number").fill("2611-0000")
    page.get_by_label("Tracking number").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("We couldn't find a request numbered")
    expect(page.get_by_label("Tracking number")).to_be_focused()
    assert_accessible(page, "the find page with an unknown number")


def test_on_a_phone_the_digits_alone_find_the_request(
    phone_page, live_server, city, assert_accessible
):
    """Issue 12: the box opens the number pad (no hyphen on an iPhone), so the digits alone, or
    the number with a space, must do."""
    sr = submit(city)
    page = phone_page
    page.goto(live_server.url + reverse("requests_app:find"))
    box = page.get_by_label("Tracking number")
    expect(box).to_have_attribute("inputmode", "numeric")
    expect(page.locator("#find-q-help")).to_contain_text("with or without the hyphen")
    box.fill(sr.tracking_number.replace("-", ""))
    page.get_by_role("button", name="Find").click()
    expect(page).to_have_url(live_server.url + sr.get_absolute_url())
    page.get_by_label("Tracking number").fill(sr.tracking_number.replace("-", " "))
    page.get_by_label("Tracking number").press("Enter")
    expect(page).to_have_url(live_server.url + sr.get_absolute_url())
    page.get_by_label("Tracking number").fill("my pothole")
    page.get_by_label("Tracking number").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("“my pothole”")
    assert_accessible(page, "the find page at 360 px after words instead of a number")


def test_the_private_link_adds_a_comment_to_the_timeline(
    page, live_server, city, assert_accessible
):
    sr = submit(city)
    page.goto(live_server.url + reverse("requests_app:confirmation", args=[sr.private_token]))
    page.get_by_role("link", name=sr.private_token).click()
    expect(page.get_by_role("heading", name="Add a comment or photo")).to_be_visible()
    assert_accessible(page, "the private page")

    page.get_by_role("button", name="Add to my report").click()
    expect(page.get_by_role("alert")).to_contain_text("Write a comment or attach a photo.")

    page.get_by_label("Add a comment").fill("The hole is getting bigger after the rain.")
    page.get_by_role("button", name="Add to my report").click()
    expect(page.get_by_role("status")).to_contain_text("your addition is now on the request")
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("The resident added more information")
    expect(timeline).to_contain_text("The hole is getting bigger after the rain.")
    assert_accessible(page, "the private page after a comment")

    # The comment is public, the resident's name is not.
    page.goto(live_server.url + sr.get_absolute_url())
    expect(page.locator(".timeline")).to_contain_text("getting bigger after the rain")
    assert "Rosa" not in page.content()
