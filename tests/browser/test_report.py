"""A resident reports a problem in a real browser: on a phone, with the keyboard only, and after
making mistakes. Map tiles never load (see conftest): the map must work without them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from requests_app.models import ServiceRequest
from tests.images import jpeg_bytes

pytestmark = pytest.mark.browser

PHOTO = {"name": "pothole.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}


def tab_to(page: Page, selector: str, *, backwards: bool = False, limit: int = 60) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches `selector`."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with {key}")


def htmx_settled(page: Page) -> None:
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def focused(page: Page, prop: str = "name") -> str:
    return page.evaluate(f"document.activeElement.{prop}")


def focus_lands_on(page: Page, name: str) -> str:
    """The focused field's name once the page's script has moved focus there (it does so after
    load; on a busy machine an immediate read can come first). Times out on a wrong field."""
    page.wait_for_function(
        "name => document.activeElement && document.activeElement.name === name",
        arg=name,
        timeout=5000,
    )
    return focused(page)


def thumbnail_loaded(page: Page) -> bool:
    img = page.locator("#photo-list img").first
    return img.evaluate("img => img.complete && img.naturalWidth > 0")


def test_resident_files_a_request_on_a_phone(
    phone_page, live_server, city, offsite, assert_accessible, screenshot
):
    page = phone_page
    page.goto(live_server.url + "/")
    assert_accessible(page, "the home page")
    page.get_by_role("link", name="Report a problem").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a problem")
    assert_accessible(page, "the empty report page")

    page.get_by_label("Search problems").press_sequentially("pothole")
    expect(page.locator("#category-list .category-option")).to_have_count(1)
    page.get_by_role("radio", name=re.compile("Pothole")).check()
    expect(page.get_by_label("How wide is it, in inches?")).to_be_visible()
    page.get_by_label("How wide is it, in inches?").fill("14")
    page.get_by_label("In a bike lane").check()
    page.get_by_label("Filled with water").check()
    page.get_by_label("When did you notice it?").fill("2026-11-20T08:30")
    assert_accessible(page, "the report page with Pothole chosen")

    # The tiles were asked for and refused; the map still takes a tap and shows the pin.
    assert any("tile" in url for url in offsite.blocked)
    expect(page.locator("#report-map")).to_have_class(re.compile("tiles-failed"))
    page.locator("#report-map").click()
    expect(page.get_by_role("button", name="Problem location")).to_be_visible()
    expect(page.locator("#location-status")).to_contain_text("Pin placed")
    assert page.input_value("[name=latitude]") and page.input_value("[name=longitude]")

    page.set_input_files("#id_photos", files=[PHOTO])
    expect(page.locator("#photo-list img")).to_have_count(1)
    page.wait_for_function("() => document.querySelector('#photo-list img').naturalWidth > 0")
    page.get_by_label("Describe the problem").fill("Deep pothole in the bike lane by the bus stop.")
    page.get_by_role("textbox", name="Email").fill("rosa@example.com")
    screenshot(page, "phone-1-report")

    page.get_by_role("button", name="Review your report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your report")
    summary = page.locator(".summary")
    for text in ("Pothole", "14", "In a bike lane", "Filled with water", "rosa@example.com"):
        expect(summary).to_contain_text(text)
    expect(summary.locator("img")).to_have_count(1)
    assert_accessible(page, "the review page")
    screenshot(page, "phone-2-review")

    page.get_by_role("button", name="Submit report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("we received your report")
    sr = ServiceRequest.objects.get()
    expect(page.get_by_test_id("tracking-number")).to_have_text(sr.tracking_number)
    assert sr.answers["size"] == 14 and sr.answers["lane"] == "bike"
    assert sr.answers["hazards"] == ["water"] and sr.answers["noticed"].startswith("2026-11-20")
    assert sr.photos.count() == 1 and sr.reporter_email == "rosa@example.com"
    assert_accessible(page, "the confirmation page")
    screenshot(page, "phone-3-confirmation")

    page.get_by_role("link", name="Track this request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pothole")
    expect(page.locator(".pipeline")).to_contain_text("Received")
    expect(page.locator(".pipeline-step").first).to_have_class(re.compile("done"))
    assert_accessible(page, "the tracker")
    screenshot(page, "phone-4-tracker")


def test_keyboard_only_resident_uses_an_address(page, live_server, city, assert_accessible):
    page.goto(live_server.url + "/report/")
    page.keyboard.press("Tab")
    assert focused(page, "className") == "skip-link"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page, "id") == "category-search"
    page.keyboard.type("pothole")
    expect(page.locator("#category-list .category-option")).to_have_count(1)
    with page.expect_response("**/report/categories/**"):
        page.keyboard.press("Enter")  # searches at once; does not submit the form
    htmx_settled(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a problem")
    page.keyboard.press("Tab")
    assert focused(page, "id") == f"category-{city.pothole.pk}"
    page.keyboard.press("Space")
    expect(page.get_by_label("How wide is it, in inches?")).to_be_visible()

    tab_to(page, "[name=q_size]")
    page.keyboard.type("8")
    page.keyboard.press("Tab")
    assert focused(page, "id") == "id_q_lane_0"
    page.keyboard.press("Space")
    expect(page.get_by_label("In a traffic lane")).to_be_checked()

    tab_to(page, "#id_address")
    page.keyboard.type("1 Market")
    expect(page.get_by_role("button", name="1 Market St")).to_be_visible()
    tab_to(page, ".address-pick")
    page.keyboard.press("Enter")
    expect(page.locator("#location-status")).to_have_text("Location set: 1 Market St")
    assert focused(page, "id") == "id_address"
    assert page.input_value("#id_address") == "1 Market St"

    tab_to(page, "#id_description")
    page.keyboard.type("Pothole at the corner.")
    tab_to(page, "#id_email")
    page.keyboard.type("kim@example.com")
    # Shift+Tab from the Review button reaches the language select: all of it is in tab order.
    tab_to(page, "button[value=review]:not([hidden])")
    tab_to(page, "#id_language", backwards=True)
    tab_to(page, "button[value=review]:not([hidden])")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your report")
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    expect(page.locator(".summary")).to_contain_text("1 Market St")

    tab_to(page, "button[value=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("tracking-number")).to_be_visible()
    sr = ServiceRequest.objects.get()
    assert sr.address == "1 Market St"
    assert sr.answers == {"size": 8, "lane": "traffic"}
    assert sr.location.y == pytest.approx(city.address.location.y, abs=1e-5)


def test_errors_are_summarised_focused_and_nothing_typed_is_lost(
    page, live_server, city, assert_accessible, screenshot
):
    page.goto(f"{live_server.url}/report/?category={city.pothole.pk}")
    page.get_by_label("How wide is it, in inches?").fill("14")
    page.get_by_label("Filled with water").check()
    # The lane (required) is left unanswered. The map is centred inside the city and wider than
    # the city at this zoom: a tap near its left edge is outside the service area.
    box = page.locator("#report-map").bounding_box()
    page.locator("#report-map").click(position={"x": 15, "y": box["height"] / 2})
    expect(page.locator("#location-status")).to_contain_text("outside San Francisco")
    outside_lng = float(page.input_value("[name=longitude]"))
    assert outside_lng < -122.49
    page.set_input_files("#id_photos", files=[PHOTO])
    expect(page.locator("#photo-list img")).to_have_count(1)
    photo_id = page.input_value("#photo-list [name=photo_id]")
    page.get_by_label("Describe the problem").fill("A hole at the city limits.")
    page.get_by_role("textbox", name="Email").fill("rosa@example.com")
    # Enter in a text field reviews the report; it does not "press" the photo's Remove button.
    page.get_by_role("textbox", name="Email").press("Enter")

    summary = page.get_by_role("alert").filter(has_text="Please check the following")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("This field is required.")
    expect(summary).to_contain_text("outside San Francisco")
    assert focus_lands_on(page, "q_lane") == "q_lane"
    expect(page.locator("#id_q_lane_0")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("radio", name=re.compile("Pothole"))).to_be_checked()
    expect(page.get_by_label("How wide is it, in inches?")).to_have_value("14")
    expect(page.get_by_label("Filled with water")).to_be_checked()
    expect(page.get_by_label("Describe the problem")).to_have_value("A hole at the city limits.")
    expect(page.get_by_role("textbox", name="Email")).to_have_value("rosa@example.com")
    assert page.input_value("#photo-list [name=photo_id]") == photo_id
    assert thumbnail_loaded(page)
    assert float(page.input_value("[name=longitude]")) == pytest.approx(outside_lng)
    assert ServiceRequest.objects.count() == 0
    assert_accessible(page, "the report page with errors")
    screenshot(page, "desktop-report-errors")

    # An error link takes the resident to the field, and fixing both files the report.
    expect(summary.locator("li").first).to_have_text("This field is required.")
    page.keyboard.press("Tab")  # away from the field, to show the summary link brings focus back
    summary.get_by_role("link", name="This field is required.").click()
    assert focused(page, "id") == "id_q_lane_0"
    page.keyboard.press("Space")
    expect(page.get_by_label("In a traffic lane")).to_be_checked()
    page.get_by_label("Address or intersection").fill("Valencia & 16th")
    page.get_by_role("button", name="Review your report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your report")
    page.get_by_role("button", name="Submit report").click()
    expect(page.get_by_test_id("tracking-number")).to_be_visible()
    sr = ServiceRequest.objects.get()
    assert sr.address == "Valencia St & 16th St" and sr.photos.count() == 1
