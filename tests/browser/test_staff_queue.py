"""The staff queue in a real browser: sign in, filter, tick rows, bulk-assign; the rows refresh in
place without losing what is ticked; axe finds nothing on the sign-in and queue pages."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from requests_app.models import Priority, RequestEvent, ServiceRequest
from tests.browser.conftest import POLL_QUEUE_ROWS
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()


def sign_in(page, live_server, username: str, password: str) -> None:
    page.goto(live_server.url + "/staff/")
    expect(page).to_have_url(re.compile(r"/staff/login/\?next=/staff/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Streets queue")


def test_a_supervisor_filters_the_queue_and_bulk_assigns_two_rows(
    page, live_server, city, staff, assert_accessible, screenshot
):
    urgent = [submit(city, description=f"Urgent hole {i}") for i in range(2)]
    normal = submit(city, description="Small crack")
    ServiceRequest.objects.filter(pk__in=[sr.pk for sr in urgent]).update(priority=Priority.URGENT)
    page.goto(live_server.url + "/staff/login/")
    assert_accessible(page, "the sign-in page")
    sign_in(page, live_server, "sam", "pw-sam")
    rows = page.locator("#queue-rows tr")
    expect(rows).to_have_count(3)
    assert_accessible(page, "the queue")

    page.evaluate("window.sameDocument = true")
    # The filters but the search box are folded away (issue 12: the rows come first).
    page.get_by_text("Filters and sorting").click()
    page.get_by_label("Priority", exact=True).select_option("urgent")
    expect(page).to_have_url(re.compile(r"priority=urgent"))
    expect(rows).to_have_count(2)
    expect(page.locator("#queue-rows")).not_to_contain_text(normal.tracking_number)

    for sr in urgent:
        page.get_by_label(f"Select {sr.tracking_number}").check()
    expect(page.locator("#selected-count")).to_have_text("(2 selected)")
    page.get_by_label("Assign to", exact=True).select_option(label="Casey")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator("#results .message")).to_have_text("2 updated.")
    expect(rows.filter(has_text="Casey")).to_have_count(2)
    assert page.evaluate("window.sameDocument"), "the bulk action reloaded the page"
    for sr in urgent:
        sr.refresh_from_db()
        assert sr.assignee == staff.crew
        assert sr.events.filter(type=RequestEvent.Type.ASSIGNED).count() == 1
    assert_accessible(page, "the queue after a bulk action")
    screenshot(page, "staff-queue-desktop")

    page.go_back()
    expect(page).to_have_url(re.compile(r"/staff/$"))
    expect(rows).to_have_count(3)


def test_the_rows_refresh_in_place_and_keep_what_is_ticked(
    page, live_server, city, staff, assert_accessible
):
    requests = [submit(city, description=f"Hole {i}") for i in range(30)]
    page.set_viewport_size({"width": 1280, "height": 600})
    sign_in(page, live_server, "alex", "pw-alex")
    first = requests[0]
    page.get_by_label(f"Select {first.tracking_number}").check()
    page.evaluate("window.scrollTo(0, 700)")
    scrolled = page.evaluate("window.scrollY")
    ServiceRequest.objects.filter(pk=requests[1].pk).update(assignee=staff.crew)

    # What the 20-second poll does, now.
    with page.expect_response(re.compile(r"/staff/\?.*ids=")):
        page.evaluate(POLL_QUEUE_ROWS)
    expect(page.locator("#queue-rows tr", has_text=requests[1].tracking_number)).to_contain_text(
        "Casey"
    )
    expect(page.get_by_label(f"Select {first.tracking_number}")).to_be_checked()
    assert page.evaluate("window.scrollY") == scrolled


def test_the_queue_works_on_a_tablet_and_its_map_copes_without_tiles(
    browser, live_server, city, staff, offsite, assert_accessible, screenshot
):
    submit(city)
    context = browser.new_context(viewport={"width": 768, "height": 1024}, has_touch=True)
    context.route("**/*", offsite)
    page = context.new_page()
    page.set_default_timeout(5000)
    sign_in(page, live_server, "alex", "pw-alex")
    # Measure the page as laid out with its stylesheets and scripts, not mid-load: on a busy
    # machine the first check could run before site.css applied.
    page.wait_for_load_state("load")
    expect(page.locator("#queue-rows tr")).to_have_count(1)
    # Nothing scrolls sideways, not even the table.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    wrap = page.locator(".table-wrap")
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth"), "the table scrolls sideways"
    screenshot(page, "staff-queue-tablet")
    page.get_by_role("link", name="Show on a map").click()
    expect(page.locator("#queue-map .leaflet-interactive")).to_have_count(1)
    expect(page.locator("#queue-rows tr")).to_have_count(1)
    assert_accessible(page, "the queue's map view")
    context.close()


def test_on_a_phone_rows_become_cards(phone_page, live_server, city, staff, screenshot):
    sr = submit(city)
    sign_in(phone_page, live_server, "alex", "pw-alex")
    row = phone_page.locator("#queue-rows tr").first
    expect(row).to_contain_text(sr.tracking_number)
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = phone_page.get_by_label(f"Select {sr.tracking_number}").locator("..").bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    screenshot(phone_page, "staff-queue-phone")
