"""A resident reporting a streetlight picks the pole from the nearest ones, in a real browser."""

from __future__ import annotations

import re

import pytest
from django.contrib.gis.geos import Point
from playwright.sync_api import expect

from requests_app.models import ServiceRequest
from tests.conftest import NEAR_MARKET
from tests.factories import AssetFactory, DepartmentFactory, streetlight_category

pytestmark = pytest.mark.browser


def north(metres: float) -> Point:
    return Point(NEAR_MARKET[1], NEAR_MARKET[0] + metres / 111_320, srid=4326)


@pytest.fixture
def lights(city):
    lighting = DepartmentFactory(name="Lighting", slug="lighting")
    category = streetlight_category(city, description="A streetlight that is dark or flickering.")
    AssetFactory(
        asset_id="SL-77", name="Pole at the corner", location=north(15), department=lighting
    )
    AssetFactory(asset_id="SL-78", location=north(70), department=lighting)
    return category


def test_resident_picks_the_streetlight_after_setting_the_location(
    page, live_server, city, lights, assert_accessible
):
    page.goto(live_server.url + "/report/")
    page.get_by_role("radio", name=re.compile("Streetlight out")).check()
    picker = page.locator("#asset-picker")
    expect(picker).to_contain_text("Once the location is set")

    page.get_by_label("Address or intersection").press_sequentially("1 market")
    page.get_by_role("button", name="1 Market St").click()
    group = page.get_by_role("group", name=re.compile("Which streetlight is it?"))
    expect(group).to_be_visible()
    expect(group.get_by_role("radio")).to_have_count(3)
    expect(group.get_by_role("radio", name="Not sure / not listed")).to_be_checked()
    assert_accessible(page, "the report page with the streetlight picker")

    group.get_by_role("radio", name=re.compile("SL-77")).check()
    # Moving the pin refreshes the list and keeps the pick.
    page.locator("#report-map").click()
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    expect(
        page.get_by_role("group", name=re.compile("Which streetlight")).get_by_role(
            "radio", name=re.compile("SL-77")
        )
    ).to_be_checked()

    page.get_by_label("Describe the problem").fill("Dark for a week.")
    page.get_by_label(re.compile("Report anonymously")).check()
    page.get_by_role("button", name="Review your report").click()
    expect(page.get_by_test_id("asset")).to_contain_text("SL-77")
    page.get_by_role("button", name="Submit report").click()
    expect(page.get_by_test_id("asset")).to_have_text("About: Streetlight SL-77")
    assert ServiceRequest.objects.get().asset_ref == "SL-77"
