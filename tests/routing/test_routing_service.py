"""Routing a live request by the rules: events that explain it, idempotency, dry run in admin."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine
from django.contrib.gis.geos import Point
from django.urls import reverse

from requests_app.models import RequestEvent, ServiceRequest, Status
from routing.models import RoutingRule
from routing.services import request_route_by_rules, request_route_default
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db

IN_MISSION = Point(-122.415, 37.76, srid=4326)
IN_SUNSET = Point(-122.465, 37.76, srid=4326)


def test_the_old_name_still_routes():
    assert request_route_default is request_route_by_rules


def test_it_routes_pothole_in_mission_to_parks_and_explains_it_on_the_timeline(city, staff):
    routing = RoutingRule.objects.create(name="Potholes in Mission", order=1, department=city.parks)
    routing.categories.set([city.pothole])
    routing.areas.set([city.mission])
    urgent = RoutingRule.objects.create(name="Hurt", order=2, keywords="injured", priority="urgent")
    crew = RoutingRule.objects.create(name="Crew", order=3, team=staff.potholes_team, tag="crew")
    sr = submit(city, location=IN_MISSION, description="A cyclist was injured")

    assert request_route_by_rules(request_id=sr.pk) is True

    sr.refresh_from_db()
    assert sr.department == city.parks and sr.status == Status.IN_QUEUE
    assert sr.priority == "urgent"
    assert sr.team is None  # the Potholes team is Streets', and this went to Parks
    routed = sr.events.get(type=RequestEvent.Type.ROUTED)
    assert routed.public
    assert routed.message == (
        "Routed to Parks by rule 'Potholes in Mission' (category=Pothole, area=Mission)"
    )
    priority = sr.events.get(type=RequestEvent.Type.PRIORITY_CHANGED)
    assert priority.message == "Priority Urgent by rule 'Hurt' (keyword=injured)"
    assert urgent.name in priority.message
    assert sr.events.filter(type=RequestEvent.Type.NOTE, data__tag="crew").exists() is not False
    assert crew.pk == sr.events.get(data__tag="crew").data["rule_id"]


def test_it_assigns_the_team_when_the_request_stays_in_its_department(city, staff):
    RoutingRule.objects.create(name="Crew", team=staff.potholes_team)
    sr = submit(city, location=IN_SUNSET)
    request_route_by_rules(request_id=sr.pk)
    sr.refresh_from_db()
    assert sr.department == city.streets and sr.team == staff.potholes_team
    assigned = sr.events.get(type=RequestEvent.Type.ASSIGNED)
    assert assigned.to_value == str(staff.potholes_team)
    note = sr.events.get(type=RequestEvent.Type.NOTE, data__team_id=staff.potholes_team.pk)
    assert note.message == "Assigned to Potholes by rule 'Crew'" and not note.public


def test_without_a_matching_rule_it_goes_to_the_default_department(city):
    RoutingRule.objects.create(name="Phone only", channels="phone", department=city.parks)
    sr = submit(city, location=IN_MISSION)
    request_route_by_rules(request_id=sr.pk)
    sr.refresh_from_db()
    assert sr.department == city.streets
    assert sr.events.get(type=RequestEvent.Type.ROUTED).message == (
        "Routed to Streets (no rule matched; default for Pothole)"
    )


def test_a_rerun_does_nothing(city):
    RoutingRule.objects.create(name="Urgent", priority="urgent")
    sr = submit(city, location=IN_MISSION)
    assert request_route_by_rules(request_id=sr.pk) is True
    count = sr.events.count()
    assert request_route_by_rules(request_id=sr.pk) is False
    assert sr.events.count() == count
    assert sr.events.filter(type=RequestEvent.Type.ROUTED).count() == 1


def test_the_time_window_uses_the_filing_time_in_the_city_zone(city):
    RoutingRule.objects.create(name="Night", time_start=time(22), time_end=time(6), priority="high")
    with time_machine.travel(datetime(2026, 11, 21, 7, 30, tzinfo=UTC), tick=False):
        night = submit(city, location=IN_MISSION)  # 23:30 in LA
    with time_machine.travel(datetime(2026, 11, 21, 20, 0, tzinfo=UTC), tick=False):
        day = submit(city, location=IN_MISSION)  # noon in LA
    request_route_by_rules(request_id=night.pk)
    request_route_by_rules(request_id=day.pk)
    night.refresh_from_db()
    day.refresh_from_db()
    assert (night.priority, day.priority) == ("high", "normal")


# --- Admin dry run -------------------------------------------------------------------------------


def test_the_dry_run_page_shows_where_it_would_go_and_creates_nothing(city, superuser_client):
    rule = RoutingRule.objects.create(name="Potholes in Mission", department=city.parks)
    rule.areas.set([city.mission])
    url = reverse("admin:routing_routingrule_dry_run")
    assert url in superuser_client.get(reverse("admin:routing_routingrule_changelist")).text
    before = (ServiceRequest.objects.count(), RequestEvent.objects.count())

    response = superuser_client.get(
        url,
        {
            "category": city.pothole.pk,
            "latitude": 37.76,
            "longitude": -122.415,
            "description": "hole",
            "channel": "web",
        },
    )

    assert response.status_code == 200
    assert "Routed to Parks by rule &#x27;Potholes in Mission&#x27; (area=Mission)" in response.text
    assert (ServiceRequest.objects.count(), RequestEvent.objects.count()) == before


def test_the_dry_run_resolves_an_address(city, superuser_client):
    response = superuser_client.get(
        reverse("admin:routing_routingrule_dry_run"),
        {"category": city.graffiti.pk, "address": "1 Market St", "channel": "web"},
    )
    assert "Routed to Parks (no rule matched; default for Graffiti)" in response.text


def test_the_dry_run_page_is_for_admins_only(client, staff):
    client.force_login(staff.agent)
    response = client.get(reverse("admin:routing_routingrule_dry_run"))
    assert response.status_code == 302


def test_the_dry_run_reads_the_filing_time_in_city_time(city, superuser_client):
    RoutingRule.objects.create(name="Night", time_start=time(22), time_end=time(6), priority="high")
    response = superuser_client.get(
        reverse("admin:routing_routingrule_dry_run"),
        {
            "category": city.pothole.pk,
            "latitude": 37.76,
            "longitude": -122.415,
            "channel": "web",
            "at": "2026-11-20 23:30",
        },
    )
    assert "Priority High by rule &#x27;Night&#x27; (time=22:00-06:00)" in response.text


def test_the_dry_run_asks_for_a_location(city, superuser_client):
    response = superuser_client.get(
        reverse("admin:routing_routingrule_dry_run"), {"category": city.pothole.pk}
    )
    assert "Give an address or a latitude and longitude." in response.text


def test_a_team_assigned_by_a_rule_does_not_count_as_the_first_response(city, staff):
    from routing.models import RoutingRule
    from routing.services import request_route_by_rules
    from tests.requests_app.helpers import submit

    rule = RoutingRule.objects.create(
        name="Potholes to crew", order=1, department=city.streets, team=staff.potholes_team
    )
    rule.categories.set([city.pothole])
    sr = submit(city)
    request_route_by_rules(request_id=sr.pk)
    sr.refresh_from_db()
    assert sr.team == staff.potholes_team
    assert sr.acknowledged_at is None
