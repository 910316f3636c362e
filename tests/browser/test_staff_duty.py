"""The on-duty switch from the keyboard: HTMX swaps it in place and focus stays on the button."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_staff_day import htmx_settled, log_in_as

pytestmark = pytest.mark.browser


def test_going_off_and_on_duty_with_the_keyboard(
    page: Page, live_server, staff, assert_accessible, screenshot
):
    log_in_as(page, live_server, staff.crew)
    page.goto(f"{live_server.url}/staff/")
    button = page.locator("#duty-button")
    expect(button).to_have_text("Go off duty")
    assert_accessible(page, "the queue with the duty switch")
    screenshot(page, "staff-duty-on")

    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_text("Go on duty")
    htmx_settled(page)
    assert page.evaluate("document.activeElement.id") == "duty-button"
    assert page.url == f"{live_server.url}/staff/"  # swapped in place, no navigation
    staff.crew.staff_profile.refresh_from_db()
    assert staff.crew.staff_profile.on_duty is False

    page.keyboard.press("Enter")
    expect(button).to_have_text("Go off duty")
    staff.crew.staff_profile.refresh_from_db()
    assert staff.crew.staff_profile.on_duty is True
