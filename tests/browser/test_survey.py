"""The closure survey on a 360 px phone, answered with the keyboard alone: an answer missing is
pointed out, "not fixed" reopens the request, and every state passes axe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import Survey
from notifications.surveys import surveys_due_send
from requests_app.models import Status
from requests_app.services import contact_confirm, request_resolve
from tests.notifications.staff_helpers import routed_request

pytestmark = pytest.mark.browser


def _tab_to(page, selector: str, limit: int = 30) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_resident_answers_not_fixed_with_the_keyboard_on_a_phone(
    phone_page, live_server, city, staff, assert_accessible, screenshot
):
    page = phone_page
    # Rosa confirmed her address long ago: an unconfirmed one would get no survey (issue 10).
    contact_confirm(channel="email", address="rosa@example.com")
    sr, _routed = routed_request(city)
    # The workers run inline: resolving schedules the survey; the sweep sends it a day later
    # (issue 12: not the same minute as "resolved").
    request_resolve(request=sr, actor=staff.agent, closure_reason=city.repaired)
    surveys_due_send(now=timezone.now() + timedelta(days=2))
    survey = Survey.objects.get(request=sr)

    page.goto(f"{live_server.url}/survey/{survey.token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Is it fixed?")
    expect(page.locator("main")).to_contain_text(sr.tracking_number)
    expect(page.get_by_role("group", name="Is the problem fixed?")).to_be_visible()
    assert "Rosa" not in page.content()
    assert _fits_the_screen(page)
    assert_accessible(page, "the survey")
    screenshot(page, "survey-phone")

    # Sending nothing points at what is missing.
    _tab_to(page, ".survey-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Tell us whether the problem is fixed.")
    expect(page.get_by_role("alert")).to_contain_text("Choose how satisfied you are.")
    assert_accessible(page, "the survey with errors")

    # Question 1: the first radio takes focus, the arrow moves to "No".
    page.locator("body").focus()
    _tab_to(page, "input[name=fixed]")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("No, it is not fixed")).to_be_checked()
    # Question 2: from "5 · Very satisfied" down to "2 · Dissatisfied".
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("2 · Dissatisfied")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.type("The hole is still there.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.get_by_role("status")).to_contain_text(
        f"We have reopened request {sr.tracking_number}"
    )
    assert _fits_the_screen(page)
    assert_accessible(page, "the survey's thank-you page")
    sr.refresh_from_db()
    assert sr.status == Status.IN_QUEUE

    # Coming back to the link: answered, and it cannot be changed.
    page.goto(f"{live_server.url}/survey/{survey.token}/")
    expect(page.get_by_role("status")).to_contain_text("already been answered")
    assert_accessible(page, "an answered survey")
