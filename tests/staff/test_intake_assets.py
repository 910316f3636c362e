"""Assets on the staff side: the operator's intake offers the same picker as the resident form,
and the request page shows the asset with its owner."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse

from requests_app.models import ServiceRequest
from tests.conftest import NEAR_MARKET
from tests.factories import AssetFactory, DepartmentFactory, streetlight_category
from tests.requests_app.helpers import ANONYMOUS, submit

pytestmark = pytest.mark.django_db

URL = reverse("staff:intake")


def near_market(metres_north: float = 0) -> Point:
    return Point(NEAR_MARKET[1], NEAR_MARKET[0] + metres_north / 111_320, srid=4326)


@pytest.fixture
def lights(city):
    lighting = DepartmentFactory(name="Lighting", slug="lighting")
    category = streetlight_category(city)
    pole = AssetFactory(
        asset_id="SL-77", name="Pole at the corner", location=near_market(15), department=lighting
    )
    return category, pole


def call(category, **overrides) -> dict:
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "channel": "phone",
        "category": category.pk,
        "address": "1 Market St",
        "latitude": str(NEAR_MARKET[0]),
        "longitude": str(NEAR_MARKET[1]),
        "description": "Light out at the corner",
        **ANONYMOUS,
    }
    data.update(overrides)
    return data


def test_the_operator_gets_the_picker_as_a_fragment_when_the_address_is_set(client, staff, lights):
    category, _pole = lights
    client.force_login(staff.operator)
    response = client.get(
        URL,
        {"category": category.pk, "latitude": NEAR_MARKET[0], "longitude": NEAR_MARKET[1]},
        headers={"HX-Request": "true", "HX-Target": "asset-picker"},
    )
    page = response.content.decode()
    assert "<html" not in page
    assert "Which streetlight is it?" in page and "SL-77" in page and "15 m away" in page
    assert 'hx-trigger="refresh-nearby from:body"' in page


def test_the_operators_pick_is_reviewed_and_stored(client, staff, lights):
    category, pole = lights
    client.force_login(staff.operator)
    review = client.post(URL, call(category, action="review", asset="SL-77")).content.decode()
    assert "SL-77 · Pole at the corner" in review
    response = client.post(URL, call(category, action="submit", asset="SL-77"))
    assert response.status_code == 303
    sr = ServiceRequest.objects.get()
    assert (sr.asset, sr.asset_ref) == (pole, "SL-77")


def test_a_forged_id_is_refused_on_the_operators_form(client, staff, lights):
    category, _pole = lights
    client.force_login(staff.operator)
    response = client.post(URL, call(category, action="submit", asset="SL-999"))
    assert response.status_code == 422
    assert "We can&#x27;t find streetlight SL-999 near this location." in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_the_request_page_shows_the_asset_and_its_owner(client, city, staff, lights):
    category, pole = lights
    sr = submit(city, category=category, location=near_market(), asset=pole)
    client.force_login(staff.agent)
    page = client.get(reverse("staff:detail", args=[sr.tracking_number])).content.decode()
    assert "Streetlight SL-77 · Pole at the corner · owned by Lighting" in page
