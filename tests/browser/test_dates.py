"""Issue 12 in a real browser on a 360 px phone: a report filed on a San Francisco evening (the
next day already in UTC, the worker's clock) gets a confirmation page, an email and a text message
that all state the same expected day."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from notifications.models import Channel, OutboxMessage
from requests_app.models import ServiceRequest

pytestmark = pytest.mark.browser

SF = ZoneInfo("America/Los_Angeles")
MONDAY_EVENING = datetime(2026, 12, 14, 18, 30, tzinfo=SF)


def _report(page, live_server, city, *, contact: str) -> str:
    """File a pothole report on the phone and return the expected day its confirmation states."""
    page.goto(f"{live_server.url}/report/?category={city.pothole.pk}")
    page.get_by_label("How wide is it, in inches?").fill("14")
    page.get_by_label("In a traffic lane").check()
    page.locator("#report-map").click()
    expect(page.locator("#location-status")).to_contain_text("Pin placed")
    page.get_by_label("Describe the problem").fill("Deep pothole by the bus stop.")
    if contact == "sms":
        page.get_by_label("Text message").check()
        page.get_by_role("textbox", name="Phone").fill("(415) 555-0134")
    else:
        page.get_by_role("textbox", name="Email").fill("rosa@example.com")
    page.get_by_role("button", name="Review your report").click()
    page.get_by_role("button", name="Submit report").click()
    expected = page.get_by_test_id("expected")
    expect(expected).to_be_visible()
    return expected.locator("strong").inner_text()


def test_the_confirmation_email_and_text_state_the_same_expected_day(
    phone_page, live_server, city, screenshot
):
    page = phone_page
    with time_machine.travel(MONDAY_EVENING, tick=True):
        by_email_day = _report(page, live_server, city, contact="email")
        screenshot(page, "dates-confirmation")
        by_text_day = _report(page, live_server, city, contact="sms")

    assert by_email_day == by_text_day
    assert re.fullmatch(r"[A-Z][a-z]+day \d{1,2} [A-Z][a-z]+ \d{4}", by_email_day)
    by_email = ServiceRequest.objects.get(contact_method="email")
    due = by_email.expected_at
    # The case the issue is about: in UTC the due time falls on another day than in the city.
    assert due.date() != due.astimezone(SF).date()
    assert f" {due.astimezone(SF).day} " in f" {by_email_day} "

    email = OutboxMessage.objects.get(channel=Channel.EMAIL, request=by_email)
    assert f"Expected by: {by_email_day}" in email.body_text
    assert by_email_day in email.body_html
    text = OutboxMessage.objects.get(
        channel=Channel.SMS, request=ServiceRequest.objects.get(contact_method="sms")
    )
    assert f"Expected by: {by_email_day}." in text.body_text
