"""Routing rules run again after a change of category and after a reopening; without a rule that
says otherwise nothing more is written."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point

from requests_app.models import RequestEvent, ServiceRequest, Status, Team
from requests_app.services import (
    request_recategorise,
    request_reopen,
    request_resolve,
    request_transfer,
)
from routing.models import RoutingRule
from routing.services import on_event, request_reroute, request_route_by_rules
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db

IN_MISSION = Point(-122.415, 37.76, srid=4326)


def routed(city, **kwargs) -> ServiceRequest:
    sr = submit(city, location=IN_MISSION, **kwargs)
    request_route_by_rules(request_id=sr.pk)
    sr.refresh_from_db()
    return sr


def deliver(sr: ServiceRequest, type: str, **filters) -> RequestEvent:
    """Hand the request's latest event of this type to routing, as the worker would."""
    event = sr.events.filter(type=type, **filters).order_by("-id").first()
    on_event(event)
    sr.refresh_from_db()
    return event


def test_a_rule_for_the_new_category_routes_it_elsewhere_and_says_why(city, staff):
    rule = RoutingRule.objects.create(name="Graffiti in Mission", department=city.streets)
    rule.categories.set([city.graffiti])
    rule.areas.set([city.mission])
    sr = routed(city)
    assert sr.department == city.streets

    # The core moves it to the new category's default department (Parks) at once...
    request_recategorise(request=sr, actor=staff.agent, category=city.graffiti, reason="Paint")
    sr.refresh_from_db()
    assert sr.department == city.parks
    deliver(sr, RequestEvent.Type.CATEGORY_CHANGED)

    # ...and the rules, run again, bring it back with the rule's explanation.
    assert sr.department == city.streets and sr.status == Status.IN_QUEUE
    routed_event = sr.events.filter(type=RequestEvent.Type.ROUTED).order_by("-id").first()
    assert routed_event.message == (
        "Routed to Streets by rule 'Graffiti in Mission' (category=Graffiti, area=Mission)"
    )
    assert routed_event.actor_label == "Routing" and routed_event.public
    assert routed_event.from_value == "Parks"


def test_after_recategorising_a_rule_gives_the_team_and_the_priority(city, staff):
    team = Team.objects.create(department=city.parks, name="Painters")
    rule = RoutingRule.objects.create(name="Graffiti", team=team, priority="high")
    rule.categories.set([city.graffiti])
    sr = routed(city)

    request_recategorise(request=sr, actor=staff.agent, category=city.graffiti)
    deliver(sr, RequestEvent.Type.CATEGORY_CHANGED)

    assert (sr.department, sr.team, sr.priority) == (city.parks, team, "high")
    messages = set(sr.events.values_list("message", flat=True))
    assert "Assigned to Painters by rule 'Graffiti' (category=Graffiti)" in messages
    assert "Priority High by rule 'Graffiti' (category=Graffiti)" in messages


def test_without_a_matching_rule_recategorising_writes_no_extra_event(city, staff):
    RoutingRule.objects.create(name="Phone only", channels="phone", department=city.streets)
    sr = routed(city)
    request_recategorise(request=sr, actor=staff.agent, category=city.graffiti)
    sr.refresh_from_db()
    count = sr.events.count()

    deliver(sr, RequestEvent.Type.CATEGORY_CHANGED)

    assert sr.department == city.parks
    assert sr.events.count() == count


def test_a_reopened_request_runs_the_rules_again(city, staff):
    sr = routed(city)
    request_resolve(request=sr, actor=staff.agent, closure_reason=city.repaired)
    # The rules changed while it was closed.
    rule = RoutingRule.objects.create(name="Mission to Parks", department=city.parks, tag="recheck")
    rule.areas.set([city.mission])

    request_reopen(request=sr, actor=staff.agent, reason="Still there")
    deliver(sr, RequestEvent.Type.STATUS_CHANGED, to_value=Status.REOPENED)

    assert sr.department == city.parks and sr.status == Status.IN_QUEUE
    messages = list(sr.events.order_by("id").values_list("message", flat=True))
    assert "Routed to Parks by rule 'Mission to Parks' (area=Mission)" in messages
    assert "Tagged 'recheck' by rule 'Mission to Parks' (area=Mission)" in messages


def test_reopening_without_a_rule_keeps_a_transfer_by_a_person(city, staff):
    sr = routed(city)
    request_transfer(request=sr, actor=staff.agent, department=city.parks, reason="Park land")
    request_resolve(request=sr, actor=staff.city_admin, closure_reason=city.repaired)
    request_reopen(request=sr, actor=staff.city_admin, reason="Still there")
    sr.refresh_from_db()
    count = sr.events.count()

    deliver(sr, RequestEvent.Type.STATUS_CHANGED, to_value=Status.REOPENED)

    assert sr.department == city.parks
    assert sr.events.count() == count


def test_a_redelivered_event_changes_nothing_more(city, staff):
    rule = RoutingRule.objects.create(name="Graffiti", department=city.streets, tag="paint")
    rule.categories.set([city.graffiti])
    sr = routed(city)
    request_recategorise(request=sr, actor=staff.agent, category=city.graffiti)
    event = deliver(sr, RequestEvent.Type.CATEGORY_CHANGED)
    count = sr.events.count()

    on_event(event)
    assert request_reroute(request_id=sr.pk, event_id=event.pk) is False

    assert sr.events.count() == count
    assert sr.events.filter(type=RequestEvent.Type.NOTE, data__tag="paint").count() == 1


def test_a_priority_a_person_set_is_not_overruled(city, staff):
    rule = RoutingRule.objects.create(name="Urgent graffiti", priority="urgent")
    rule.categories.set([city.graffiti])
    sr = routed(city)
    ServiceRequest.objects.filter(pk=sr.pk).update(priority="low", priority_overridden=True)

    request_recategorise(request=sr, actor=staff.agent, category=city.graffiti)
    deliver(sr, RequestEvent.Type.CATEGORY_CHANGED)

    assert sr.priority == "low"


def test_a_request_not_yet_routed_is_left_to_its_first_routing(city):
    sr = submit(city, location=IN_MISSION)
    RoutingRule.objects.create(name="All to Parks", department=city.parks)
    assert request_reroute(request_id=sr.pk) is False
    sr.refresh_from_db()
    assert sr.status == Status.RECEIVED and sr.department is None


def test_the_worker_reroutes_after_commit(city, staff, django_capture_on_commit_callbacks):
    rule = RoutingRule.objects.create(name="Graffiti in Mission", department=city.streets)
    rule.categories.set([city.graffiti])
    rule.areas.set([city.mission])
    with django_capture_on_commit_callbacks(execute=True):
        sr = submit(city, location=IN_MISSION)
    with django_capture_on_commit_callbacks(execute=True):
        request_recategorise(request=sr, actor=staff.agent, category=city.graffiti)
    sr.refresh_from_db()
    assert sr.department == city.streets and sr.category == city.graffiti
