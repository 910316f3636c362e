"""Issue 12 in a real browser: a resident on a phone finds City Hall by its Spanish name and a
corner typed the Spanish way, picks it with the keyboard, and the location is set."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point
from playwright.sync_api import expect

from tests.factories import AddressPointFactory

pytestmark = pytest.mark.browser


def test_a_resident_finds_city_hall_and_a_corner_in_spanish(
    phone_page, live_server, city, assert_accessible
):
    AddressPointFactory(
        label="City Hall, 1 Dr Carlton B Goodlett Pl",
        kind="place",
        aliases="Ayuntamiento\n1 Dr Carlton B Goodlett Pl",
        location=Point(-122.4193, 37.7793, srid=4326),
    )
    page = phone_page
    page.goto(live_server.url + "/report/")
    # The switch reloads the page: wait for it to load (scripts run) before typing, as the
    # help text below is on the page before htmx listens to the box.
    with page.expect_navigation():
        page.get_by_role("button", name="Español").first.click()
    help_text = page.locator("#id_address_helptext")
    expect(help_text).to_contain_text("“Valencia y 16”")

    address = page.locator("#id_address")
    address.fill("Ayuntamiento")
    pick = page.get_by_role("button", name="City Hall, 1 Dr Carlton B Goodlett Pl")
    expect(pick).to_be_visible()
    assert_accessible(page, "the address suggestions")
    pick.focus()
    page.keyboard.press("Enter")
    status = page.locator("#location-status")
    expect(status).to_contain_text("City Hall, 1 Dr Carlton B Goodlett Pl")

    address.fill("esquina de Valencia y 16")
    pick = page.get_by_role("button", name="Valencia St & 16th St")
    expect(pick).to_be_visible()
    pick.focus()
    page.keyboard.press("Enter")
    expect(status).to_contain_text("Valencia St & 16th St")
    assert page.input_value("#id_address") == "Valencia St & 16th St"
