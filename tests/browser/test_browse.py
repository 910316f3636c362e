"""Browsing recent requests: the filters swap the results in place and keep the URL shareable."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.requests_app.helpers import submit

pytestmark = pytest.mark.browser


def test_filtering_by_category_swaps_the_results_and_updates_the_url(
    page, live_server, city, assert_accessible
):
    pothole = submit(city)
    graffiti = submit(city, category=city.graffiti, answers={}, address="Valencia St & 16th St")
    page.goto(live_server.url + "/requests/")
    results = page.locator("#results")
    expect(results.locator(".request-card")).to_have_count(2)
    assert_accessible(page, "the browse page")

    page.evaluate("window.sameDocument = true")
    page.get_by_label("Problem").select_option(label="Graffiti")
    expect(page).to_have_url(re.compile(rf"/requests/\?category={city.graffiti.pk}&"))
    expect(results.locator(".request-card")).to_have_count(1)
    expect(page.get_by_role("status")).to_have_text("1 request found.")
    expect(results).to_contain_text(graffiti.tracking_number)
    expect(results).not_to_contain_text(pothole.tracking_number)
    expect(page.locator("#browse-map .leaflet-interactive")).to_have_count(1)
    assert page.evaluate("window.sameDocument"), "the filter reloaded the page"
    assert_accessible(page, "the browse page filtered by category")

    page.reload()
    expect(page.get_by_label("Problem")).to_have_value(str(city.graffiti.pk))
    expect(results.locator(".request-card")).to_have_count(1)
