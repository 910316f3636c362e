"""Auto-assignment: a request given to a team gets an on-duty member picked by the team's
strategy, with an internal note that says how."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.urls import reverse

from requests_app.models import RequestEvent, Role, ServiceRequest, Status, Team
from requests_app.services import request_assign, request_resolve
from routing import assignment
from routing.assignment import on_event, request_auto_assign
from routing.models import CrewZone, RoutingRule
from routing.services import request_route_by_rules
from tests.conftest import make_staff
from tests.requests_app.helpers import submit

pytestmark = pytest.mark.django_db

IN_MISSION = Point(-122.415, 37.76, srid=4326)
IN_SUNSET = Point(-122.465, 37.76, srid=4326)


@pytest.fixture
def crew(city, staff, django_user_model):
    """The Potholes team with three members in id order: Casey (from the staff fixture), Bea,
    Dana."""
    bea = make_staff(django_user_model, "bea", Role.AGENT, [city.streets])
    dana = make_staff(django_user_model, "dana", Role.AGENT, [city.streets])
    team = staff.potholes_team
    team.members.add(bea, dana)
    return team, [staff.crew, bea, dana]


def strategy(team: Team, value: str) -> Team:
    team.assignment_strategy = value
    team.save(update_fields=["assignment_strategy"])
    return team


def routed(city, **kwargs) -> ServiceRequest:
    sr = submit(city, **kwargs)
    request_route_by_rules(request_id=sr.pk)
    sr.refresh_from_db()
    return sr


def to_team(sr: ServiceRequest, team: Team, *, actor=None, assignee=None) -> RequestEvent:
    """Give the request to the team and deliver the ASSIGNED event to the handler."""
    request_assign(request=sr, actor=actor, team=team, assignee=assignee)
    event = sr.events.filter(type=RequestEvent.Type.ASSIGNED).order_by("-id").first()
    on_event(event)
    sr.refresh_from_db()
    return event


def routed_to_team(city, team: Team, **submission) -> ServiceRequest:
    """A pothole filed, routed to Streets and given to the team."""
    sr = routed(city, **submission)
    to_team(sr, team)
    return sr


def off_duty(*users) -> None:
    for user in users:
        user.staff_profile.on_duty = False
        user.staff_profile.save(update_fields=["on_duty"])


def last_note(sr: ServiceRequest) -> RequestEvent:
    return sr.events.filter(type=RequestEvent.Type.NOTE, data__routing=True).order_by("-id")[0]


# --- Round-robin ---------------------------------------------------------------------------------


def test_round_robin_takes_turns_and_wraps_around(city, crew):
    team, (casey, bea, dana) = crew
    strategy(team, Team.Strategy.ROUND_ROBIN)

    picked = []
    for _ in range(4):
        sr = routed_to_team(city, team)
        picked.append(sr.assignee)

    assert picked == [casey, bea, dana, casey]
    team.refresh_from_db()
    assert team.last_assigned == casey


def test_round_robin_explains_the_pick_on_an_internal_note(city, crew):
    team, (casey, *_rest) = crew
    strategy(team, Team.Strategy.ROUND_ROBIN)
    sr = routed_to_team(city, team)

    note = last_note(sr)
    assert note.message == "Assigned to Casey by round-robin in team Potholes"
    assert not note.public and note.actor_label == "Routing"
    assert sr.team == team and sr.assignee == casey


def test_round_robin_skips_members_who_are_off_duty(city, crew):
    team, (casey, bea, dana) = crew
    strategy(team, Team.Strategy.ROUND_ROBIN)
    off_duty(bea)

    picked = []
    for _ in range(3):
        sr = routed_to_team(city, team)
        picked.append(sr.assignee)

    assert picked == [casey, dana, casey]


def test_round_robin_continues_after_a_member_who_went_off_duty(city, crew):
    team, (_casey, bea, dana) = crew
    strategy(team, Team.Strategy.ROUND_ROBIN)
    team.last_assigned = bea
    team.save()
    off_duty(bea)
    sr = routed_to_team(city, team)
    assert sr.assignee == dana


def test_inactive_users_and_members_of_other_departments_are_not_picked(city, crew):
    team, (casey, bea, dana) = crew
    strategy(team, Team.Strategy.ROUND_ROBIN)
    bea.is_active = False
    bea.save()
    dana.staff_profile.departments.set([city.parks])

    picked = []
    for _ in range(2):
        sr = routed_to_team(city, team)
        picked.append(sr.assignee)

    assert picked == [casey, casey]


@pytest.mark.django_db(transaction=True)
def test_concurrent_round_robin_picks_never_take_the_same_turn(city, crew, monkeypatch):
    team, (casey, bea, _dana) = crew
    strategy(team, Team.Strategy.ROUND_ROBIN)
    first, second = routed(city), routed(city)
    for sr in (first, second):
        ServiceRequest.objects.filter(pk=sr.pk).update(team=team)

    # Widen the window between reading the pointer and writing it: without the team row lock
    # both workers would read "nobody yet" and both pick Casey.
    real = assignment.team_candidates

    def slow_candidates(*, team):
        found = real(team=team)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(assignment, "team_candidates", slow_candidates)
    barrier = threading.Barrier(2)
    picks: dict[int, object] = {}
    errors: list[BaseException] = []

    def worker(request_id: int) -> None:
        try:
            barrier.wait()
            picks[request_id] = request_auto_assign(request_id=request_id, team_id=team.pk)
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(sr.pk,)) for sr in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert errors == []
    assert {picks[first.pk], picks[second.pk]} == {casey, bea}
    team.refresh_from_db()
    assert team.last_assigned == bea


# --- Least open work -----------------------------------------------------------------------------


def give(city, user, *, count: int, status: str = Status.IN_QUEUE) -> None:
    for _ in range(count):
        sr = routed(city)
        ServiceRequest.objects.filter(pk=sr.pk).update(assignee=user, status=status)


def test_least_open_picks_the_member_with_the_fewest_open_requests(city, crew):
    team, (casey, bea, dana) = crew
    strategy(team, Team.Strategy.LEAST_OPEN)
    give(city, casey, count=3)
    give(city, bea, count=1)
    give(city, bea, count=4, status=Status.CLOSED)  # closed work does not count
    give(city, dana, count=2)

    sr = routed_to_team(city, team)

    assert sr.assignee == bea
    assert last_note(sr).message == "Assigned to Bea by least open work in team Potholes (1 open)"


def test_least_open_ties_take_turns(city, crew):
    team, (casey, bea, dana) = crew
    strategy(team, Team.Strategy.LEAST_OPEN)
    give(city, dana, count=5)

    first, second = routed(city), routed(city)
    to_team(first, team)
    ServiceRequest.objects.filter(pk=first.pk).update(status=Status.RESOLVED)
    to_team(second, team)

    # Casey and Bea both had nothing open each time; the tie goes to the one not picked last.
    assert (first.assignee, second.assignee) == (casey, bea)


def test_least_open_skips_off_duty_members(city, crew):
    team, (casey, bea, dana) = crew
    strategy(team, Team.Strategy.LEAST_OPEN)
    give(city, bea, count=2)
    give(city, dana, count=3)
    off_duty(casey)
    sr = routed_to_team(city, team)
    assert sr.assignee == bea


# --- By zone -------------------------------------------------------------------------------------


@pytest.fixture
def zones(city, crew):
    team, (casey, bea, dana) = crew
    strategy(team, Team.Strategy.BY_ZONE)
    CrewZone.objects.create(team=team, member=bea, area=city.mission)
    return team, (casey, bea, dana)


def test_by_zone_picks_the_crew_that_owns_the_area(city, zones):
    team, (_casey, bea, _dana) = zones
    sr = routed_to_team(city, team, location=IN_MISSION)
    assert sr.assignee == bea
    assert last_note(sr).message == "Assigned to Bea by zone in team Potholes (owns Mission)"


def test_by_zone_falls_back_to_least_open_where_nobody_owns_the_area(city, zones):
    team, (casey, bea, dana) = zones
    give(city, casey, count=1)
    give(city, bea, count=1)
    sr = routed_to_team(city, team, location=IN_SUNSET)
    assert sr.assignee == dana
    assert last_note(sr).message == (
        "Assigned to Dana by least open work in team Potholes (0 open); no crew owns this location"
    )


def test_by_zone_falls_back_when_the_owner_is_off_duty(city, zones):
    team, (casey, bea, dana) = zones
    off_duty(bea)
    give(city, casey, count=2)
    sr = routed_to_team(city, team, location=IN_MISSION)
    assert sr.assignee == dana
    assert last_note(sr).message == (
        "Assigned to Dana by least open work in team Potholes (0 open); "
        "Mission belongs to Bea, who is off duty"
    )


# --- Nobody on duty, manual teams, idempotence ---------------------------------------------------


def test_with_nobody_on_duty_it_stays_with_the_team_and_says_so_once(city, crew):
    team, members = crew
    strategy(team, Team.Strategy.ROUND_ROBIN)
    off_duty(*members)
    sr = routed(city)
    event = to_team(sr, team)

    assert sr.team == team and sr.assignee is None
    note = last_note(sr)
    assert note.message == "Nobody in team Potholes is on duty: left with the team, unassigned"
    assert not note.public

    count = sr.events.count()
    on_event(event)  # re-delivered
    assert sr.events.count() == count


def test_a_manual_team_is_left_for_a_person_to_assign(city, crew):
    team, _members = crew
    assert team.assignment_strategy == Team.Strategy.MANUAL
    sr = routed_to_team(city, team)
    assert sr.assignee is None
    assert not sr.events.filter(type=RequestEvent.Type.NOTE).exists()


def test_a_redelivered_event_assigns_nobody_else(city, crew):
    team, (casey, *_rest) = crew
    strategy(team, Team.Strategy.ROUND_ROBIN)
    sr = routed(city)
    event = to_team(sr, team)
    count = sr.events.count()

    on_event(event)
    on_event(event)

    sr.refresh_from_db()
    assert sr.assignee == casey and sr.events.count() == count
    team.refresh_from_db()
    assert team.last_assigned == casey


def test_the_pick_does_not_count_as_the_first_response(city, crew):
    team, _members = crew
    strategy(team, Team.Strategy.ROUND_ROBIN)
    sr = routed_to_team(city, team)
    assert sr.assignee is not None and sr.acknowledged_at is None


def test_a_closed_request_is_not_assigned(city, crew, staff):
    team, _members = crew
    strategy(team, Team.Strategy.ROUND_ROBIN)
    sr = routed(city)
    request_assign(request=sr, actor=None, team=team)
    event = sr.events.filter(type=RequestEvent.Type.ASSIGNED).get()
    request_resolve(request=sr, actor=staff.agent, closure_reason=city.repaired)
    on_event(event)
    sr.refresh_from_db()
    assert sr.assignee is None


def test_a_person_staff_picked_is_not_overridden(city, crew, staff):
    team, (_casey, _bea, dana) = crew
    strategy(team, Team.Strategy.ROUND_ROBIN)
    sr = routed(city)
    to_team(sr, team, actor=staff.supervisor, assignee=dana)
    assert sr.assignee == dana
    assert not sr.events.filter(type=RequestEvent.Type.NOTE).exists()


def test_staff_giving_it_to_a_team_lets_the_strategy_pick(city, crew, staff):
    team, (casey, *_rest) = crew
    strategy(team, Team.Strategy.ROUND_ROBIN)
    sr = routed(city)
    to_team(sr, team, actor=staff.supervisor)
    assert sr.assignee == casey


def test_a_rule_gives_it_to_the_team_the_team_picks_a_person_and_staff_see_why(
    city, crew, client, staff, django_capture_on_commit_callbacks
):
    team, (casey, *_rest) = crew
    strategy(team, Team.Strategy.ROUND_ROBIN)
    RoutingRule.objects.create(name="Crew", team=team)

    with django_capture_on_commit_callbacks(execute=True):
        sr = submit(city)

    sr.refresh_from_db()
    assert (sr.department, sr.team, sr.assignee) == (city.streets, team, casey)
    client.force_login(staff.supervisor)
    page = client.get(reverse("staff:detail", args=[sr.tracking_number])).text
    assert "Routed to Streets (no rule matched; default for Pothole)" in page
    assert "Assigned to Potholes by rule &#x27;Crew&#x27;" in page
    assert "Assigned to Casey by round-robin in team Potholes" in page


# --- Admin ---------------------------------------------------------------------------------------


def test_the_team_list_shows_each_strategy(superuser_client, crew):
    team, _members = crew
    strategy(team, Team.Strategy.BY_ZONE)
    page = superuser_client.get(reverse("admin:requests_app_team_changelist")).text
    assert "By zone (the crew that owns the area)" in page


def test_a_crew_zone_needs_a_member_of_the_team(superuser_client, city, crew, staff):
    team, (_casey, bea, _dana) = crew
    url = reverse("admin:routing_crewzone_add")
    refused = superuser_client.post(
        url, {"team": team.pk, "area": city.mission.pk, "member": staff.agent.pk}
    )
    assert refused.status_code == 200
    assert "Alex is not a member of Potholes. Add them to the team first." in refused.text
    assert not CrewZone.objects.exists()

    saved = superuser_client.post(url, {"team": team.pk, "area": city.mission.pk, "member": bea.pk})
    assert saved.status_code == 302
    assert CrewZone.objects.get().member == bea


def test_the_user_list_shows_who_is_on_duty(superuser_client, staff):
    off_duty(staff.crew)
    page = superuser_client.get(
        reverse("admin:auth_user_changelist"), {"staff_profile__on_duty__exact": "0"}
    ).text
    assert "casey" in page and "alex" not in page
