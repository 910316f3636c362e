"""The error pages on a 360 px phone: no sideways scrolling, axe-core finds nothing, and the way on
can be followed (issue 12, "Everywhere")."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.error_urls")]

PAGES = [
    ("/no-such-page/", 404, "Page not found"),
    ("/test-errors/403/", 403, "You can't open this page"),
    ("/test-errors/400/", 400, "We couldn't read what your browser sent"),
    ("/test-errors/500/", 500, "Something went wrong"),
    ("/report/photos/", 405, "This page can't do that"),
    # The back office's look (its header, no resident menu), issue 12.
    ("/staff/no-such-page/", 404, "Page not found"),
    ("/staff/bulk/", 405, "This page can't do that"),
    ("/staff/test-errors/500/", 500, "Something went wrong"),
]


@pytest.mark.parametrize(("path", "status", "heading"), PAGES)
def test_each_error_page_fits_a_phone_and_passes_axe(
    phone_page, live_server, assert_accessible, screenshot, path, status, heading
):
    response = phone_page.goto(live_server.url + path)
    assert response.status == status
    expect(phone_page.get_by_role("heading", level=1)).to_have_text(heading)
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(phone_page, f"the {status} page")
    screenshot(phone_page, f"error-{status}" + ("-staff" if path.startswith("/staff/") else ""))


def test_the_404_page_leads_to_find_my_request_in_spanish(phone_page, live_server, city):
    phone_page.goto(live_server.url + "/no-such-page/")
    phone_page.get_by_role("button", name="Español").click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Página no encontrada")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone_page.get_by_role("link", name="Buscar mi solicitud por su número de seguimiento").click()
    expect(phone_page).to_have_url(live_server.url + "/requests/find/")
