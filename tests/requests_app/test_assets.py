"""The asset layer at intake: the nearest streetlights are offered for a streetlight category, the
pick is checked and stored, and the request's pages show it."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.urls import reverse

from requests_app.forms import form_started_token
from requests_app.models import RequestEvent, ServiceRequest
from requests_app.selectors import asset_for_pick, assets_nearest
from requests_app.services import Reporter, Submission, request_submit
from tests.conftest import INSIDE
from tests.factories import AssetFactory, DepartmentFactory, streetlight_category
from tests.requests_app.helpers import ANONYMOUS

URL = reverse("requests_app:report")
PICKER_URL = reverse("requests_app:report_assets")
HERE = Point(INSIDE[1], INSIDE[0], srid=4326)


def north(metres: float) -> Point:
    # One metre of latitude is about 1/111,320 of a degree.
    return Point(INSIDE[1], INSIDE[0] + metres / 111_320, srid=4326)


@dataclass
class Lights:
    category: object
    lighting: object
    near: object
    second: object
    far: object
    off: object
    hydrant: object


@pytest.fixture
def lights(city) -> Lights:
    lighting = DepartmentFactory(name="Lighting", slug="lighting")
    category = streetlight_category(city)
    return Lights(
        category=category,
        lighting=lighting,
        near=AssetFactory(
            asset_id="SL-1001", name="Pole by the bus stop", location=north(20), department=lighting
        ),
        second=AssetFactory(asset_id="SL-1002", location=north(60), department=lighting),
        far=AssetFactory(asset_id="SL-1003", location=north(400), department=lighting),
        off=AssetFactory(asset_id="SL-0999", location=north(5), active=False),
        hydrant=AssetFactory(asset_type="hydrant", asset_id="HY-7", location=north(10)),
    )


def form_data(lights: Lights, **overrides) -> dict:
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "category": lights.category.pk,
        "latitude": str(INSIDE[0]),
        "longitude": str(INSIDE[1]),
        "address": "",
        "description": "The light has been out for a week.",
        **ANONYMOUS,
        "action": "submit",
        # Handed out with the form a minute ago (a robot sends it back at once: issue 10).
        "started": form_started_token(at=time.time() - 60),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- The selector --------------------------------------------------------------------------------


def test_it_offers_the_nearest_active_assets_of_the_type_closest_first(lights):
    found = assets_nearest(asset_type="streetlight", point=HERE)
    assert [a.asset_id for a in found] == ["SL-1001", "SL-1002"]
    assert found[0].distance.m == pytest.approx(20, abs=1)


def test_it_offers_at_most_the_limit_and_only_within_the_radius(lights):
    assert [a.asset_id for a in assets_nearest(asset_type="streetlight", point=HERE, limit=1)] == [
        "SL-1001"
    ]
    wide = assets_nearest(asset_type="streetlight", point=HERE, within_m=500)
    assert [a.asset_id for a in wide] == ["SL-1001", "SL-1002", "SL-1003"]
    assert assets_nearest(asset_type="hydrant", point=north(1000)) == []


def test_a_pick_must_be_of_the_type_active_and_near(lights):
    assert asset_for_pick(asset_type="streetlight", asset_id="SL-1002", point=HERE) == lights.second
    assert asset_for_pick(asset_type="streetlight", asset_id="SL-1003", point=HERE) is None
    assert asset_for_pick(asset_type="streetlight", asset_id="SL-0999", point=HERE) is None
    assert asset_for_pick(asset_type="streetlight", asset_id="HY-7", point=HERE) is None


# --- The picker on the report form ---------------------------------------------------------------


def test_the_picker_offers_the_nearest_streetlights_as_a_labelled_radio_group(client, lights):
    response = client.get(
        PICKER_URL,
        {"category": lights.category.pk, "latitude": INSIDE[0], "longitude": INSIDE[1]},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert "<html" not in page
    assert "<fieldset" in page and "<legend>Which streetlight is it?" in page
    assert "SL-1001" in page and "Pole by the bus stop" in page and "20 m away" in page
    assert "SL-1002" in page
    assert "SL-1003" not in page and "SL-0999" not in page and "HY-7" not in page
    assert 'value="" id="asset-none" checked' in page
    assert "Not sure / not listed" in page


def test_the_picker_keeps_the_residents_pick_when_the_pin_moves(client, lights):
    page = client.get(
        PICKER_URL,
        {
            "category": lights.category.pk,
            "latitude": INSIDE[0] + 0.0001,
            "longitude": INSIDE[1],
            "asset": "SL-1002",
        },
    ).content.decode()
    assert re.search(r'value="SL-1002" id="asset-2"\s+checked', page)
    assert not re.search(r'id="asset-none"\s+checked', page)


def test_no_picker_for_a_category_without_an_asset_type(client, city, lights):
    page = client.get(
        PICKER_URL, {"category": city.pothole.pk, "latitude": INSIDE[0], "longitude": INSIDE[1]}
    ).content.decode()
    assert "Which" not in page and 'name="asset"' not in page
    full = client.get(URL, {"category": city.pothole.pk}).content.decode()
    assert 'id="asset-picker"' in full and "Which" not in full


def test_before_a_location_the_form_says_the_picker_will_come(client, lights):
    page = client.get(URL, {"category": lights.category.pk}).content.decode()
    assert "Once the location is set, you can pick the streetlight" in page


def test_without_javascript_review_first_shows_the_picker_once(client, lights):
    response = client.post(URL, form_data(lights, action="review"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Check your report" not in page
    assert "Which streetlight is it?" in page and "SL-1001" in page
    assert "The light has been out for a week." in page
    assert ServiceRequest.objects.count() == 0

    # "Not sure" is a real answer: the review follows.
    review = client.post(URL, form_data(lights, action="review", asset="")).content.decode()
    assert "Check your report" in review


def test_the_review_shows_the_picked_streetlight(client, lights):
    page = client.post(URL, form_data(lights, action="review", asset="SL-1001")).content.decode()
    assert "Check your report" in page
    assert "Streetlight</dt>" in page and "SL-1001 · Pole by the bus stop" in page
    assert 'name="asset" value="SL-1001"' in page


def test_the_picked_asset_is_stored_and_shown_on_the_confirmation_and_tracker(client, lights):
    response = client.post(URL, form_data(lights, asset="SL-1001"))
    sr = ServiceRequest.objects.get()
    assert sr.asset == lights.near and sr.asset_ref == "SL-1001"
    created = sr.events.get(type=RequestEvent.Type.CREATED)
    assert created.data["asset"] == "SL-1001"

    assert "Streetlight SL-1001" in client.get(response["Location"]).content.decode()
    tracker = client.get(sr.get_absolute_url()).content.decode()
    assert "Streetlight SL-1001" in tracker


def test_the_tracker_keeps_the_id_after_the_asset_is_removed(client, lights):
    client.post(URL, form_data(lights, asset="SL-1001"))
    lights.near.delete()
    sr = ServiceRequest.objects.get()
    assert sr.asset is None
    assert "Streetlight SL-1001" in client.get(sr.get_absolute_url()).content.decode()


@pytest.mark.parametrize("forged", ["SL-1003", "SL-0999", "HY-7", "NOPE-1"])
def test_a_far_inactive_other_type_or_made_up_id_is_refused_with_the_input_kept(
    client, lights, forged
):
    response = client.post(URL, form_data(lights, asset=forged))
    page = response.content.decode()
    assert response.status_code == 422
    assert f"We can&#x27;t find streetlight {forged} near this location." in page
    assert 'href="#field-asset"' in page and 'id="field-asset"' in page
    assert "The light has been out for a week." in page
    assert ServiceRequest.objects.count() == 0


def test_a_pick_left_over_from_another_category_is_ignored(client, city, lights):
    data = form_data(
        lights,
        category=city.graffiti.pk,
        asset="SL-1001",
        description="Tags on the wall.",
    )
    client.post(URL, data)
    sr = ServiceRequest.objects.get()
    assert sr.asset is None and sr.asset_ref == ""


def test_the_service_refuses_an_asset_that_does_not_fit_whatever_the_form_said(lights):
    submission = Submission(
        category=lights.category,
        description="Out",
        location=HERE,
        reporter=Reporter(),
        asset=lights.far,
    )
    with pytest.raises(ValidationError) as exc:
        request_submit(submission=submission)
    assert "asset" in exc.value.message_dict
    assert ServiceRequest.objects.count() == 0


# --- Admin ---------------------------------------------------------------------------------------


def test_the_admin_lists_filters_and_searches_assets(client, lights, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.com", "pw"))
    url = reverse("admin:requests_app_asset_changelist")
    listing = client.get(url).content.decode()
    assert "SL-1001" in listing and "HY-7" in listing and "Lighting" in listing
    hydrants = client.get(url, {"asset_type": "hydrant"}).content.decode()
    assert "HY-7" in hydrants and "SL-1001" not in hydrants
    found = client.get(url, {"q": "bus stop"}).content.decode()
    assert "SL-1001" in found and "SL-1002" not in found
    change = client.get(reverse("admin:requests_app_category_change", args=[lights.category.pk]))
    assert 'name="asset_type" value="streetlight"' in change.content.decode()


def test_a_refused_pick_with_nothing_near_still_offers_not_sure(client, lights):
    data = form_data(lights, asset="SL-1001", latitude=str(INSIDE[0] + 0.01))
    page = client.post(URL, data).content.decode()
    assert 'id="field-asset"' in page and "We can&#x27;t find streetlight SL-1001" in page
    assert 'value="" id="asset-none" checked' in page


def test_the_confirmation_names_the_department_routing_chose(
    client, lights, django_capture_on_commit_callbacks
):
    # The worker (inline in tests) routes on commit: the streetlight's owner, not the
    # category's default department.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form_data(lights, asset="SL-1001"))
    page = client.get(response["Location"]).content.decode()
    assert "Your report goes to Lighting." in page
