"""Issue 12, the staff screens and "everywhere": at 1280 x 800 the queue's first row is above the
fold and no select cuts its text off; every control of the queue still works after the results
refresh in place; an empty "My requests" says so instead of showing a headerless table; and no
page a phone opens (the resident pages, the staff sign-in, the dev mailbox) scrolls sideways at
360 px."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from requests_app.models import Priority, ServiceRequest
from tests.browser.conftest import POLL_QUEUE_ROWS, axe_violations, format_violations
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.browser

DESK = {"width": 1280, "height": 800}

# A select cuts its text off when the chosen option needs more room than the select has: a copy
# holding only that option, sized to it, is measured beside it. (A select's scrollWidth equals its
# clientWidth in Chromium whatever it shows, so that check alone proves nothing; it is kept too.)
CLIPPED_SELECTS = """() => [...document.querySelectorAll("select")]
  .filter((s) => s.checkVisibility())
  .filter((s) => {
    if (s.scrollWidth > s.clientWidth) return true;
    const probe = s.cloneNode(false);
    probe.removeAttribute("id");
    probe.appendChild(s.options[s.selectedIndex].cloneNode(true));
    Object.assign(probe.style, {width: "auto", minWidth: "0", maxWidth: "none", flex: "none",
                                position: "absolute"});
    s.parentNode.appendChild(probe);
    const needed = probe.getBoundingClientRect().width;
    probe.remove();
    return needed > s.getBoundingClientRect().width + 0.5;
  })
  .map((s) => s.id)"""

# Every select's options (value and text), to compare before and after a refresh.
SELECT_OPTIONS = """() => Object.fromEntries([...document.querySelectorAll("select")].map(
  (s) => [s.id, [...s.options].map((o) => o.value + "=" + o.text)]))"""

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= 360"


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()


def sign_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/staff/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-" + username)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # Measured as laid out with the stylesheets and the queue script, not mid-load.
    page.wait_for_load_state("load")


def test_at_1280_by_800_the_first_row_is_above_the_fold_and_no_select_is_cut_off(
    page, live_server, city, staff, assert_accessible, screenshot
):
    for i in range(3):
        submit(city, description=f"Hole {i}")
    page.set_viewport_size(DESK)
    sign_in(page, live_server, "sam")
    first = page.locator("#queue-rows tr").first
    expect(first).to_be_visible()
    assert first.bounding_box()["y"] < DESK["height"], "the first request row is below the fold"
    assert page.evaluate(CLIPPED_SELECTS) == []
    # The bulk comment's count sits under its row, not in it: in the row it pushed "Add" 9 px
    # past the edge and the whole page scrolled sideways (found on a newcomer's walk).
    assert page.evaluate("document.documentElement.scrollWidth") <= DESK["width"]
    add = page.locator("#b-comment-go").bounding_box()
    assert add["x"] + add["width"] <= DESK["width"], "the bulk comment's Add button is cut off"
    expect(page.locator("#b-message_count")).to_have_text("Characters left: 4000")
    screenshot(page, "staff-queue-1280x800")

    # The filters fold away; the keyboard opens them (Enter on the summary) and reaches them.
    panel = page.locator("#filter-panel")
    expect(panel).not_to_have_attribute("open", "")
    page.get_by_label("Search").focus()
    page.keyboard.press("Tab")  # "Show on a map"
    page.keyboard.press("Tab")
    expect(panel.locator("summary")).to_be_focused()
    page.keyboard.press("Enter")
    expect(panel).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Status", exact=True)).to_be_focused()
    assert page.evaluate(CLIPPED_SELECTS) == [], "a select in the open panel cuts its text off"
    assert_accessible(page, "the queue with its filter panel open")

    # Left open, it is open on the next visit; a filter in it keeps it open and is counted.
    page.goto(live_server.url + "/staff/")
    expect(panel).to_have_attribute("open", "")
    panel.locator("summary").click()
    expect(panel).not_to_have_attribute("open", "")
    page.goto(live_server.url + "/staff/")
    expect(panel).not_to_have_attribute("open", "")
    page.goto(live_server.url + "/staff/?priority=urgent")
    expect(panel).to_have_attribute("open", "")
    expect(panel.locator("summary")).to_contain_text("(1 active)")


def test_every_control_of_the_queue_survives_the_in_place_refresh(page, live_server, city, staff):
    holes = [submit(city, description=f"Deep hole {i}") for i in range(2)]
    submit(city, description="Faded crossing")
    ServiceRequest.objects.filter(pk=holes[0].pk).update(priority=Priority.URGENT)
    page.set_viewport_size(DESK)
    sign_in(page, live_server, "sam")
    before = page.evaluate(SELECT_OPTIONS)
    assert len(before["b-priority"]) == 1 + len(Priority.choices)
    page.evaluate("window.sameDocument = true")

    # Typing in Search refreshes the results in place: the bulk lists keep every choice.
    with page.expect_response(re.compile(r"/staff/\?.*q=hole")):
        page.get_by_label("Search").press_sequentially("hole")
    expect(page.locator("#queue-rows tr")).to_have_count(2)
    assert page.evaluate(SELECT_OPTIONS) == before
    # So does changing a filter.
    page.locator("#filter-panel summary").click()
    with page.expect_response(re.compile(r"/staff/\?.*priority=urgent")):
        page.get_by_label("Priority", exact=True).select_option("urgent")
    expect(page.locator("#queue-rows tr")).to_have_count(1)
    after = page.evaluate(SELECT_OPTIONS)
    assert after == before

    # The refreshed rows tick, count and act; the bulk lists still set what they offer.
    tn = holes[0].tracking_number
    page.get_by_label(f"Select {tn}").check()
    expect(page.locator("#selected-count")).to_have_text("(1 selected)")
    page.get_by_label("Set priority to").select_option("low")
    page.get_by_role("button", name="Set", exact=True).click()
    expect(page.locator("#results .message")).to_have_text("1 updated.")
    assert page.evaluate(SELECT_OPTIONS) == after
    holes[0].refresh_from_db()
    assert holes[0].priority == Priority.LOW

    # The sort links and select-all of the refreshed table work too, still in place.
    page.get_by_role("link", name="Clear filters").click()  # a link: the whole page, cleared
    expect(page.locator("#queue-rows tr")).to_have_count(3)
    page.evaluate("window.sameDocument = true")
    page.get_by_role("link", name="Priority", exact=True).click()
    expect(page).to_have_url(re.compile(r"sort=priority"))
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Priority")
    page.get_by_label("Select all requests on this page").check()
    expect(page.locator("#selected-count")).to_have_text("(3 selected)")
    assert page.evaluate(SELECT_OPTIONS) == before
    assert page.evaluate("window.sameDocument"), "a control reloaded the page"


def test_the_pager_of_refreshed_results_pages_in_place(page, live_server, city, staff):
    from staff.selectors import PAGE_SIZE

    for i in range(PAGE_SIZE + 1):
        submit(city, description=f"Hole {i}")
    page.set_viewport_size(DESK)
    sign_in(page, live_server, "sam")
    with page.expect_response(re.compile(r"/staff/\?.*q=hole")):
        page.get_by_label("Search").press_sequentially("hole")
    expect(page).to_have_url(re.compile(r"q=hole"))
    page.evaluate("window.sameDocument = true")
    # Leaving the search box for the link must not ask for page 1 again (it did, on "change",
    # and that answer could land after the link's).
    page.locator("#page-next").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.locator("#queue-rows tr")).to_have_count(1)
    assert page.evaluate(SELECT_OPTIONS)["b-priority"][1:] == [
        f"{value}={label}" for value, label in Priority.choices
    ]
    assert page.evaluate("window.sameDocument")


def test_an_empty_my_requests_says_so_instead_of_a_headerless_table(
    page, live_server, city, staff, assert_accessible
):
    submit(city)  # someone else's: not in "My requests"
    sign_in(page, live_server, "alex")
    page.get_by_role("link", name="My requests").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My requests")
    expect(page.locator("#queue-empty")).to_have_text("Nothing in this queue.")
    expect(page.locator(".queue-table")).to_be_hidden()
    expect(page.locator("#bulk-form")).to_be_hidden()
    assert_accessible(page, "an empty My requests")
    # axe's best-practice rule that reported it (not among the WCAG tags assert_accessible runs).
    violations = axe_violations(page, rules=["empty-table-header"])
    assert violations == [], format_violations(violations)


def test_rows_arriving_in_an_empty_queue_bring_back_the_table(page, live_server, city, staff):
    sign_in(page, live_server, "alex")
    expect(page.locator("#queue-empty")).to_be_visible()
    sr = submit(city)
    with page.expect_response(re.compile(r"/staff/")):
        page.evaluate(POLL_QUEUE_ROWS)
    expect(page.locator("#queue-rows tr", has_text=sr.tracking_number)).to_be_visible()
    expect(page.locator("#queue-empty")).to_be_hidden()
    expect(page.locator("#bulk-form")).to_be_visible()


def test_no_page_a_phone_opens_scrolls_sideways_at_360_px(
    phone_page, live_server, city, staff, screenshot
):
    sr = submit(city)
    paths = [
        "/",
        "/report/",
        "/requests/",
        "/requests/find/",
        f"/requests/{sr.tracking_number}/",
        f"/requests/private/{sr.private_token}/",
        f"/requests/private/{sr.private_token}/updates/",
        f"/requests/{sr.tracking_number}/follow/",
        "/no-such-page/",
        "/staff/login/",
        "/staff/password-reset/",
    ]
    wide = {}
    for path in paths:
        phone_page.goto(live_server.url + path)
        phone_page.wait_for_load_state("load")
        if not phone_page.evaluate(NO_SIDEWAYS_SCROLL):
            wide[path] = phone_page.evaluate("document.documentElement.scrollWidth")
    # The dev mailbox, signed in as a city admin (it is theirs alone).
    phone_page.goto(live_server.url + "/staff/login/")
    phone_page.get_by_label("Username").fill("ada")
    phone_page.get_by_label("Password").fill("pw-ada")
    phone_page.get_by_role("button", name="Sign in").click()
    expect(phone_page.get_by_role("heading", level=1)).to_be_visible()
    phone_page.goto(live_server.url + "/dev/mailbox/")
    phone_page.wait_for_load_state("load")
    expect(phone_page.get_by_role("heading", name="New text message to 311")).to_be_visible()
    screenshot(phone_page, "dev-mailbox-phone")
    if not phone_page.evaluate(NO_SIDEWAYS_SCROLL):
        wide["/dev/mailbox/"] = phone_page.evaluate("document.documentElement.scrollWidth")
    assert wide == {}, f"wider than the 360 px screen: {wide}"


def test_no_action_of_the_request_page_opens_wider_than_a_phone(
    phone_page, live_server, city, staff
):
    # A newcomer's walk at 360 px: opening "Record an on-site visit" made the page 391 px wide
    # (its multi-file photo input set the single column's width).
    from requests_app.services import request_route

    sr = submit(city)
    request_route(request=sr, department=city.streets)
    sign_in(phone_page, live_server, "alex")
    phone_page.goto(live_server.url + f"/staff/requests/{sr.tracking_number}/")
    phone_page.wait_for_load_state("load")
    summaries = phone_page.locator(".actions-panel details > summary")
    assert summaries.count() >= 5
    wide = {}
    for i in range(summaries.count()):
        summary = summaries.nth(i)
        name = summary.inner_text().strip()
        summary.click()
        if not phone_page.evaluate(NO_SIDEWAYS_SCROLL):
            wide[name] = phone_page.evaluate("document.documentElement.scrollWidth")
        summary.click()
    assert wide == {}, f"wider than the 360 px screen with the action open: {wide}"
