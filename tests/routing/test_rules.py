"""Rule evaluation on a plain request description: each condition, precedence, fallback."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError

from requests_app.models import Team
from routing.models import RoutingRule
from routing.rules import RequestLike, rules_evaluate
from tests.factories import AreaFactory, AreaSetFactory, square

pytestmark = pytest.mark.django_db

IN_MISSION = Point(-122.415, 37.76, srid=4326)
IN_SUNSET = Point(-122.465, 37.76, srid=4326)


def like(city, **kwargs) -> RequestLike:
    kwargs.setdefault("category", city.pothole)
    kwargs.setdefault("point", IN_MISSION)
    kwargs.setdefault("description", "Big hole by the bus stop")
    kwargs.setdefault("channel", "web")
    kwargs.setdefault("at", datetime(2026, 11, 23, 20, 0, tzinfo=UTC))  # Monday noon in LA
    return RequestLike(**kwargs)


def rule(name: str, order: int = 10, **kwargs) -> RoutingRule:
    m2m = {
        key: kwargs.pop(key) for key in ("categories", "category_groups", "areas") if key in kwargs
    }
    created = RoutingRule.objects.create(name=name, order=order, **kwargs)
    for key, values in m2m.items():
        getattr(created, key).set(values)
    return created


def test_without_rules_it_falls_back_to_the_category_default(city):
    decision = rules_evaluate(request_like=like(city))
    assert decision.department == city.streets
    assert decision.department_by.rule is None
    assert decision.department_explanation == (
        "Routed to Streets (no rule matched; default for Pothole)"
    )


def test_it_routes_pothole_in_mission_to_parks_and_says_why(city):
    rule(
        "Potholes in Mission",
        categories=[city.pothole],
        areas=[city.mission],
        department=city.parks,
    )
    decision = rules_evaluate(request_like=like(city))
    assert decision.department == city.parks
    assert decision.department_explanation == (
        "Routed to Parks by rule 'Potholes in Mission' (category=Pothole, area=Mission)"
    )


def test_the_area_is_matched_by_polygon_not_the_stored_neighbourhood(city):
    zone = AreaFactory(
        area_set=AreaSetFactory(kind="ward", name="Crew districts"),
        name="Crew 7",
        geom=square(-122.465, 37.76, 0.005),
    )
    rule("Crew 7 zone", areas=[zone], department=city.parks)
    assert rules_evaluate(request_like=like(city, point=IN_SUNSET)).department == city.parks
    assert rules_evaluate(request_like=like(city, point=IN_MISSION)).department == city.streets


def test_the_category_group_condition(city):
    rule("Clean group", category_groups=[city.graffiti.group], department=city.streets)
    assert (
        rules_evaluate(request_like=like(city, category=city.graffiti)).department == city.streets
    )
    assert rules_evaluate(request_like=like(city)).department_by.rule is None


def test_a_keyword_matches_any_word_case_insensitively(city):
    rule("Danger", keywords="injured, exposed wires", priority="urgent")
    hit = rules_evaluate(request_like=like(city, description="Exposed WIRES near the hole"))
    assert hit.priority == "urgent"
    assert "keyword=exposed wires" in hit.priority_explanation
    assert rules_evaluate(request_like=like(city, description="uninjuredish")).priority == ""


def test_an_answer_condition_matches_single_and_list_answers(city):
    rule("Bike lane", answer_code="lane", answer_value="bike", tag="bike-lane")
    rule("Water", answer_code="hazards", answer_value="water", priority="high")
    decision = rules_evaluate(
        request_like=like(city, answers={"lane": "bike", "hazards": ["deep", "water"]})
    )
    assert decision.tag == "bike-lane"
    assert decision.priority == "high"
    other = rules_evaluate(request_like=like(city, answers={"lane": "traffic", "hazards": []}))
    assert (other.tag, other.priority) == ("", "")


def test_a_channel_condition(city):
    rule("Phone calls", channels="phone, walk_in", priority="high")
    assert rules_evaluate(request_like=like(city, channel="phone")).priority == "high"
    assert rules_evaluate(request_like=like(city, channel="web")).priority == ""


@pytest.mark.parametrize(
    ("utc", "fires"),
    [
        (datetime(2026, 11, 21, 7, 30, tzinfo=UTC), True),  # Fri 23:30 in LA
        (datetime(2026, 11, 21, 13, 59, tzinfo=UTC), True),  # Sat 05:59 in LA
        (datetime(2026, 11, 21, 14, 0, tzinfo=UTC), False),  # Sat 06:00 in LA
        (datetime(2026, 11, 21, 23, 0, tzinfo=UTC), False),  # Sat 15:00 in LA, 23:00 UTC
    ],
)
def test_a_night_window_wraps_past_midnight_in_the_city_zone(city, utc, fires):
    rule("Night crew", time_start=time(22), time_end=time(6), priority="high")
    assert (rules_evaluate(request_like=like(city, at=utc)).priority == "high") is fires


def test_a_weekday_condition_uses_the_local_day(city):
    rule("Weekend", weekdays=[5, 6], priority="low")
    friday_night_la = datetime(2026, 11, 21, 7, 0, tzinfo=UTC)  # Saturday in UTC
    assert rules_evaluate(request_like=like(city, at=friday_night_la)).priority == ""
    saturday_la = datetime(2026, 11, 21, 20, 0, tzinfo=UTC)
    assert rules_evaluate(request_like=like(city, at=saturday_la)).priority == "low"


def test_the_first_match_wins_per_action_type(city):
    team = Team.objects.create(department=city.parks, name="Graffiti crew")
    rule("Route only", order=1, categories=[city.pothole], department=city.parks)
    rule("Later route", order=2, department=city.streets, priority="high")
    rule("Even later", order=3, priority="low", team=team, tag="late")
    rule("Inactive", order=0, department=city.streets, active=False)
    decision = rules_evaluate(request_like=like(city))
    assert decision.department == city.parks
    assert decision.department_by.rule.name == "Route only"
    # A later rule still sets priority; the first rule with a priority wins.
    assert decision.priority == "high"
    assert decision.priority_by.rule.name == "Later route"
    assert decision.team == team and decision.tag == "late"
    assert [f.rule.name for f in decision.matched] == ["Route only", "Later route", "Even later"]


def test_a_team_of_another_department_is_not_assigned(city):
    team = Team.objects.create(department=city.parks, name="Graffiti crew")
    rule("Wrong team", team=team)
    assert rules_evaluate(request_like=like(city)).team is None  # pothole stays with Streets


def test_a_non_matching_condition_stops_the_rule(city):
    rule("Sunset potholes", categories=[city.pothole], areas=[city.sunset], department=city.parks)
    assert rules_evaluate(request_like=like(city)).department == city.streets


@pytest.mark.parametrize("count", [1, 25])
def test_evaluation_queries_do_not_grow_with_the_rules(city, count, django_assert_max_num_queries):
    for i in range(count):
        rule(
            f"Rule {i}",
            order=i,
            categories=[city.graffiti],
            category_groups=[city.graffiti.group],
            areas=[city.mission, city.sunset],
            department=city.parks,
        )
    # The first evaluation after an edit loads the rules (the config stamp, four loads, the
    # areas); the next ones read the stamp and the areas only.
    with django_assert_max_num_queries(6):
        decision = rules_evaluate(request_like=like(city))
    assert decision.department == city.streets
    with django_assert_max_num_queries(2):
        assert rules_evaluate(request_like=like(city)).department == city.streets


def test_a_rule_refuses_a_team_of_another_department_and_unknown_channels(city):
    team = Team.objects.create(department=city.parks, name="Graffiti crew")
    bad = RoutingRule(name="Bad", department=city.streets, team=team, channels="web, fax")
    with pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert set(exc.value.message_dict) == {"team", "channels"}
