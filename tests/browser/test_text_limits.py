"""Issue 12 in a real browser: a text box with a limit shows how many characters are left, and
how many too many once past it; nothing typed is ever cut off, and the count is announced
politely to screen readers."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_staff_day import log_in_as
from tests.requests_app.helpers import routed

pytestmark = pytest.mark.browser


def test_the_description_counts_down_and_then_says_how_many_too_many(
    phone_page, live_server, city, assert_accessible
):
    page = phone_page
    page.goto(live_server.url + "/report/")
    box = page.locator("#id_description")
    count = page.locator("#id_description_count")
    expect(count).to_have_text("Characters left: 4000")
    assert count.get_attribute("aria-live") == "polite"
    assert "id_description_count" in box.get_attribute("aria-describedby")
    box.fill("x" * 4010)
    expect(count).to_have_text("Characters over the limit: 10")
    assert len(box.input_value()) == 4010  # nothing cut
    assert_accessible(page, "the report form with a description over its limit")


def test_the_counter_speaks_spanish_on_a_spanish_page(phone_page, live_server, city):
    page = phone_page
    page.context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])
    page.goto(live_server.url + "/report/")
    page.locator("#id_description").fill("hola")
    expect(page.locator("#id_description_count")).to_have_text("Caracteres restantes: 3996")


def test_a_staff_message_box_has_its_counter_too(page, live_server, city, staff):
    sr = routed(city)
    log_in_as(page, live_server, staff.agent)
    page.goto(f"{live_server.url}/staff/requests/{sr.tracking_number}/")
    page.locator("#action-comment summary").click()
    page.locator("#comment-message").fill("y" * 4001)
    expect(page.locator("#comment-message_count")).to_have_text("Characters over the limit: 1")
