"""Assets in routing: a rule's asset-type condition, and the picked asset's owner department as
the fallback between the rules and the category's default."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse

from requests_app.models import RequestEvent, ServiceRequest
from routing.models import RoutingRule
from routing.rules import RequestLike, rules_evaluate
from routing.services import request_route_by_rules
from tests.factories import AssetFactory, DepartmentFactory, streetlight_category
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db

IN_MISSION = Point(-122.415, 37.76, srid=4326)


@pytest.fixture
def lighting():
    return DepartmentFactory(name="Lighting", slug="lighting")


@pytest.fixture
def light_out(city):
    return streetlight_category(city)


@pytest.fixture
def pole(lighting):
    return AssetFactory(asset_id="SL-1234", location=IN_MISSION, department=lighting)


def like(category, asset=None) -> RequestLike:
    return RequestLike(
        category=category,
        point=IN_MISSION,
        description="Light out",
        channel="web",
        at=datetime(2026, 11, 23, 20, 0, tzinfo=UTC),
        asset=asset,
    )


def test_the_asset_type_condition_matches_only_a_picked_asset_of_that_type(city, light_out, pole):
    RoutingRule.objects.create(name="Lights", asset_types="hydrant, Streetlight", priority="high")
    decision = rules_evaluate(request_like=like(light_out, pole))
    assert decision.priority == "high"
    assert decision.priority_explanation == (
        "Priority High by rule 'Lights' (asset=streetlight SL-1234)"
    )
    assert rules_evaluate(request_like=like(light_out)).priority == ""
    hydrant = AssetFactory(asset_type="hydrant", asset_id="HY-1", location=IN_MISSION)
    assert rules_evaluate(request_like=like(light_out, hydrant)).priority == "high"
    sign = AssetFactory(asset_type="sign", asset_id="SG-1", location=IN_MISSION)
    assert rules_evaluate(request_like=like(light_out, sign)).priority == ""


def test_without_a_routing_rule_the_assets_owner_gets_it(city, light_out, pole, lighting):
    decision = rules_evaluate(request_like=like(light_out, pole))
    assert decision.department == lighting
    assert decision.department_explanation == ("Routed to Lighting (owner of streetlight SL-1234)")


def test_a_matching_rule_with_a_department_wins_over_the_owner(city, light_out, pole):
    RoutingRule.objects.create(
        name="Mission lights", asset_types="streetlight", department=city.parks
    )
    decision = rules_evaluate(request_like=like(light_out, pole))
    assert decision.department == city.parks
    assert decision.department_explanation == (
        "Routed to Parks by rule 'Mission lights' (asset=streetlight SL-1234)"
    )


def test_a_rule_without_a_department_leaves_the_owner_in_charge(city, light_out, pole, lighting):
    RoutingRule.objects.create(name="Urgent lights", asset_types="streetlight", priority="urgent")
    decision = rules_evaluate(request_like=like(light_out, pole))
    assert (decision.department, decision.priority) == (lighting, "urgent")


@pytest.mark.parametrize("owner", ["none", "inactive"])
def test_an_asset_without_an_active_owner_falls_back_to_the_category(
    city, light_out, pole, lighting, owner
):
    if owner == "none":
        pole.department = None
        pole.save()
    else:
        lighting.active = False
        lighting.save()
    decision = rules_evaluate(request_like=like(light_out, pole))
    assert decision.department == city.streets
    assert decision.department_explanation == (
        "Routed to Streets (no rule matched; default for Streetlight out)"
    )


def test_a_live_request_goes_to_the_owner_and_the_timeline_says_why(
    city, light_out, pole, lighting
):
    sr = submit(city, category=light_out, location=IN_MISSION, asset=pole)
    assert request_route_by_rules(request_id=sr.pk) is True
    sr.refresh_from_db()
    assert sr.department == lighting
    routed = sr.events.get(type=RequestEvent.Type.ROUTED)
    assert routed.message == "Routed to Lighting (owner of streetlight SL-1234)"


def test_the_admin_dry_run_takes_an_asset_id(city, light_out, pole, client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.com", "pw"))
    url = reverse("admin:routing_routingrule_dry_run")
    params = {
        "category": light_out.pk,
        "latitude": 37.76,
        "longitude": -122.415,
        "channel": "web",
        "asset_id": "SL-1234",
    }
    response = client.get(url, params)
    assert "Routed to Lighting (owner of streetlight SL-1234)" in response.text
    assert ServiceRequest.objects.count() == 0

    unknown = client.get(url, {**params, "asset_id": "SL-9"})
    assert "No asset has that id." in unknown.text


def test_the_rule_admin_form_and_list_show_asset_types(city, client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.com", "pw"))
    RoutingRule.objects.create(name="Lights", asset_types="streetlight", priority="high")
    assert 'name="asset_types"' in client.get(reverse("admin:routing_routingrule_add")).text
    listing = client.get(reverse("admin:routing_routingrule_changelist")).text
    assert "assets=streetlight" in listing
