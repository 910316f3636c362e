"""The Content-Security-Policy (no 'unsafe-inline', no eval) in a real browser: the resident and
staff pages, with their maps, htmx swaps and photo staging, work without a single violation.

Violations are caught twice: Chromium's console message ("Refused to ... Content Security
Policy") and the page's `securitypolicyviolation` events (recorded by an init script, which the
policy does not apply to)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from requests_app.services import request_route
from tests.images import jpeg_bytes
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.browser

PHOTO = {"name": "pothole.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${where}`);
});
"""


class Violations:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def assert_none(self, where: str) -> None:
        events = self.page.evaluate("window.__csp || []")
        found = self.console + events
        assert not found, f"CSP violations on {where}:\n" + "\n".join(found)


def log_in_as(page: Page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def htmx_settled(page: Page) -> None:
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def test_the_pages_send_a_policy_without_unsafe_inline(page, live_server, city):
    response = page.goto(live_server.url + "/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_resident_pages_work_without_violations(page, live_server, city, offsite):
    violations = Violations(page)
    page.goto(live_server.url + "/")
    expect(page.get_by_role("link", name="Report a problem").first).to_be_visible()
    violations.assert_none("the home page")

    page.goto(live_server.url + "/report/")
    page.get_by_label("Search problems").press_sequentially("pothole")
    expect(page.locator("#category-list .category-option")).to_have_count(1)
    page.get_by_role("radio", name=re.compile("Pothole")).check()
    expect(page.get_by_label("How wide is it, in inches?")).to_be_visible()
    page.locator("#report-map").click()
    expect(page.locator("#location-status")).to_contain_text("Pin placed")
    page.set_input_files("#id_photos", files=[PHOTO])
    expect(page.locator("#photo-list img")).to_have_count(1)
    page.wait_for_function("() => document.querySelector('#photo-list img').naturalWidth > 0")
    htmx_settled(page)
    # The map asked for tiles (refused by the test's network, not by the policy).
    assert any("tile" in url for url in offsite.blocked)
    violations.assert_none("the report form (map, category search, photo)")

    page.get_by_label("How wide is it, in inches?").fill("14")
    page.get_by_label("In a bike lane").check()
    page.get_by_label("When did you notice it?").fill("2026-11-20T08:30")
    page.get_by_label("Describe the problem").fill("Deep pothole by the bus stop.")
    page.get_by_role("textbox", name="Email").fill("rosa@example.com")
    page.get_by_role("button", name="Review your report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your report")
    page.get_by_role("button", name="Submit report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("we received your report")
    violations.assert_none("the review and confirmation pages")

    page.get_by_role("link", name="Track this request").click()
    expect(page.locator(".pipeline")).to_contain_text("Received")
    violations.assert_none("the tracker")

    page.goto(live_server.url + "/requests/")
    violations.assert_none("the list of recent requests")


def test_staff_pages_work_without_violations(page, live_server, city, staff):
    sr = submit(city, description="Pothole by the school")
    request_route(request=sr, department=city.streets)
    violations = Violations(page)
    log_in_as(page, live_server, staff.supervisor)

    page.goto(live_server.url + reverse("staff:queue"))
    expect(page.locator("#queue-rows tr")).to_have_count(1)
    page.get_by_label(f"Select {sr.tracking_number}").check()
    violations.assert_none("the staff queue")

    page.goto(live_server.url + reverse("staff:queue") + "?view=map")
    page.wait_for_load_state("networkidle")
    violations.assert_none("the staff queue's map")

    page.goto(live_server.url + reverse("staff:detail", args=[sr.tracking_number]))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pothole")
    page.wait_for_load_state("networkidle")
    violations.assert_none("the staff detail page")

    page.goto(live_server.url + reverse("staff:intake"))
    page.wait_for_load_state("networkidle")
    violations.assert_none("the intake form")


def test_the_admin_message_template_form_works_without_violations(
    page, live_server, city, django_user_model
):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    violations = Violations(page)
    log_in_as(page, live_server, admin)
    page.goto(live_server.url + "/admin/notifications/messagetemplate/add/")
    expect(page.locator("#template-preview-button")).to_be_visible()
    violations.assert_none("the admin's message template form")

    # The preview shows the email as sent, inline styles included, in a sandboxed iframe.
    page.locator("#id_kind").fill("received")
    page.locator("#id_channel").select_option("email")
    page.locator("#id_body_text").fill("Thank you.")
    page.locator("#id_body_html").fill('<p style="color:#0b5cad">Thank you.</p>')
    page.locator("#template-preview-button").click()
    frame = page.frame_locator("#preview-html")
    expect(frame.locator("p").first).to_have_css("color", "rgb(11, 92, 173)")
    violations.assert_none("the admin's message template preview")


def test_the_dev_mailbox_shows_an_html_email_without_violations(page, live_server, city, staff):
    from notifications.models import OutboxMessage
    from notifications.outbox import outbox_queue

    sr = submit(city)
    outbox_queue(
        channel=OutboxMessage.Channel.EMAIL,
        recipient=sr.reporter_email,
        template="received",
        language="en",
        subject="We received your report",
        body_text="Thank you.",
        body_html='<p style="color:#0b5cad">Thank you.</p>',
        request=sr,
        dedupe_key="csp",
    )
    violations = Violations(page)
    log_in_as(page, live_server, staff.city_admin)
    page.goto(live_server.url + reverse("notifications:dev_mailbox"))
    page.get_by_text("HTML version").first.click()
    frame = page.frame_locator("iframe").first
    expect(frame.locator("p")).to_have_css("color", "rgb(11, 92, 173)")
    violations.assert_none("the dev mailbox with an HTML email")
