"""Queue reads: which queue a staff member gets, what each filter keeps, the order of the rows
and the counters at the top."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.utils import timezone

from requests_app.models import Priority, ServiceRequest, Status
from requests_app.permissions import staff_profile
from staff.selectors import (
    PAGE_SIZE,
    QueueAccessDenied,
    QueueFilters,
    queue_counters,
    queue_page,
    queue_scope,
)
from tests.requests_app.helpers import TYPED_TRACKING_NUMBERS, routed, submit, typed

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo(settings.CITY_TIME_ZONE)


def update(sr, **fields) -> None:
    ServiceRequest.objects.filter(pk=sr.pk).update(**fields)


def listed(user, **filters) -> list[str]:
    staff = staff_profile(user)
    scope = queue_scope(staff=staff, filters=QueueFilters(**filters))
    page = queue_page(scope=scope, staff=staff, now=timezone.now())
    return [r.tracking_number for r in page.rows]


def test_an_agent_starts_in_their_first_department(city, staff):
    scope = queue_scope(staff=staff_profile(staff.agent), filters=QueueFilters())
    assert scope.department == city.streets
    assert [d.name for d in scope.tabs] == ["Streets"]


def test_operators_and_city_admins_start_with_all_departments(city, staff):
    staff.city_admin.staff_profile.departments.add(city.parks)
    for user in (staff.operator, staff.city_admin):
        scope = queue_scope(staff=staff_profile(user), filters=QueueFilters())
        assert scope.filters.scope == "all"
        assert scope.department_ids is None
        assert {d.name for d in scope.tabs} == {"Streets", "Parks"}


def test_a_parks_agent_is_refused_streets_and_all_departments(city, staff):
    parks = staff_profile(staff.parks_agent)
    with pytest.raises(QueueAccessDenied):
        queue_scope(staff=parks, filters=QueueFilters(department=city.streets.pk))
    with pytest.raises(QueueAccessDenied):
        queue_scope(
            staff=parks, filters=QueueFilters(scope="unassigned", department=city.streets.pk)
        )
    with pytest.raises(QueueAccessDenied):
        queue_scope(staff=parks, filters=QueueFilters(scope="all"))


def test_a_department_queue_lists_only_its_open_requests(city, staff):
    streets = routed(city)
    parks = routed(city, department=city.parks, category=city.graffiti, answers={})
    closed = routed(city)
    update(closed, status=Status.RESOLVED)
    assert listed(staff.agent) == [streets.tracking_number]
    assert listed(staff.parks_agent) == [parks.tracking_number]


def test_my_requests_and_unassigned(city, staff):
    mine = routed(city)
    theirs = routed(city)
    teamed = routed(city)
    nobody = routed(city)
    update(mine, assignee=staff.agent)
    update(theirs, assignee=staff.crew)
    update(teamed, team=staff.potholes_team)
    assert listed(staff.agent, scope="mine") == [mine.tracking_number]
    assert listed(staff.agent, scope="unassigned") == [nobody.tracking_number]


def test_status_filters(city, staff):
    new = routed(city)
    acknowledged = routed(city)
    update(acknowledged, acknowledged_at=timezone.now())
    working = routed(city)
    update(working, status=Status.IN_PROGRESS)
    resolved = routed(city)
    update(resolved, status=Status.RESOLVED)
    duplicate = routed(city)
    update(duplicate, status=Status.CLOSED_DUPLICATE)
    assert set(listed(staff.agent, status="new")) == {new.tracking_number}
    assert listed(staff.agent, status="in_progress") == [working.tracking_number]
    assert set(listed(staff.agent, status="closed_all")) == {
        resolved.tracking_number,
        duplicate.tracking_number,
    }
    assert len(listed(staff.agent, status="any")) == 5


def test_filters_combine(city, staff):
    in_mission = Point(-122.415, 37.76, srid=4326)
    match = routed(city, location=in_mission, channel="phone")
    update(match, priority=Priority.HIGH, assignee=staff.crew)
    wrong_area = routed(city, channel="phone")
    update(wrong_area, priority=Priority.HIGH, assignee=staff.crew)
    wrong_priority = routed(city, location=in_mission, channel="phone")
    update(wrong_priority, assignee=staff.crew)
    wrong_channel = routed(city, location=in_mission)
    update(wrong_channel, priority=Priority.HIGH, assignee=staff.crew)
    filters = {
        "area": city.mission.pk,
        "priority": "high",
        "channel": "phone",
        "assignee": f"user:{staff.crew.pk}",
        "category": city.pothole.pk,
    }
    assert listed(staff.agent, **filters) == [match.tracking_number]
    assert listed(staff.agent, **{**filters, "category": city.gas_leak.pk}) == []


def test_team_as_assignee_filter(city, staff):
    teamed = routed(city)
    update(teamed, team=staff.potholes_team)
    routed(city)
    assert listed(staff.agent, assignee=f"team:{staff.potholes_team.pk}") == [
        teamed.tracking_number
    ]


def test_the_date_range_is_in_the_city_time_zone(city, staff):
    # 23:30 on 1 March in the city is already 2 March in UTC.
    late = routed(city)
    update(late, created_at=timezone.datetime(2026, 3, 1, 23, 30, tzinfo=ZONE))
    next_day = routed(city)
    update(next_day, created_at=timezone.datetime(2026, 3, 2, 0, 30, tzinfo=ZONE))
    day = timezone.datetime(2026, 3, 1).date()
    assert listed(staff.agent, created_from=day, created_to=day) == [late.tracking_number]
    assert listed(staff.agent, created_from=day + timedelta(days=1)) == [next_day.tracking_number]


def test_overdue_and_due_today(city, staff):
    now = timezone.now()
    overdue = routed(city)
    update(overdue, expected_at=now - timedelta(hours=1))
    later_today = routed(city)
    end_of_day = timezone.localtime(now, ZONE).replace(hour=23, minute=59, second=0)
    update(later_today, expected_at=max(end_of_day, now + timedelta(seconds=30)))
    next_week = routed(city)
    update(next_week, expected_at=now + timedelta(days=7))
    assert listed(staff.agent, due="overdue") == [overdue.tracking_number]
    assert listed(staff.agent, due="today") == [later_today.tracking_number]


def test_search_finds_a_tracking_number_exactly_or_words_in_address_and_description(city, staff):
    one = routed(city, description="Deep hole near the school", address="12 Oak St")
    two = routed(city, description="Cracked asphalt", address="40 Pine St")
    assert listed(staff.agent, q=one.tracking_number) == [one.tracking_number]
    assert listed(staff.agent, q=one.tracking_number[:-1]) == []
    assert listed(staff.agent, q="pine") == [two.tracking_number]
    assert listed(staff.agent, q="hole school") == [one.tracking_number]
    assert listed(staff.agent, q="hole pine") == []


@pytest.mark.parametrize("form", TYPED_TRACKING_NUMBERS)
def test_search_finds_a_tracking_number_typed_with_any_separator_or_none(city, staff, form):
    one = routed(city, description="Deep hole near the school", address="12 Oak St")
    routed(city, description="Cracked asphalt", address="40 Pine St")
    assert listed(staff.agent, q=typed(one, form)) == [one.tracking_number]


def test_search_for_a_number_that_is_not_a_tracking_number_searches_the_words(city, staff):
    one = routed(city, description="Lamp post 4827 is dark", address="2612 Oak St")
    assert listed(staff.agent, q="2612 Oak") == [one.tracking_number]
    assert listed(staff.agent, q="4827") == [one.tracking_number]


def test_sorting_by_due_date_priority_and_age(city, staff):
    now = timezone.now()
    a, b, c = routed(city), routed(city), routed(city)
    update(
        a,
        expected_at=now + timedelta(days=3),
        priority=Priority.LOW,
        created_at=now - timedelta(days=3),
    )
    update(
        b,
        expected_at=now + timedelta(days=1),
        priority=Priority.NORMAL,
        created_at=now - timedelta(days=1),
    )
    update(
        c,
        expected_at=now + timedelta(days=2),
        priority=Priority.URGENT,
        created_at=now - timedelta(days=2),
    )
    tn = {x.pk: x.tracking_number for x in (a, b, c)}
    assert listed(staff.agent, sort="due") == [tn[b.pk], tn[c.pk], tn[a.pk]]
    assert listed(staff.agent, sort="priority") == [tn[c.pk], tn[b.pk], tn[a.pk]]
    assert listed(staff.agent, sort="newest") == [tn[b.pk], tn[c.pk], tn[a.pk]]
    assert listed(staff.agent, sort="oldest") == [tn[a.pk], tn[c.pk], tn[b.pk]]


def test_a_page_says_whether_another_follows_without_counting(city, staff):
    for _ in range(PAGE_SIZE + 1):
        routed(city)
    staff_ = staff_profile(staff.agent)
    scope = queue_scope(staff=staff_, filters=QueueFilters())
    first = queue_page(scope=scope, staff=staff_, now=timezone.now())
    assert len(first.rows) == PAGE_SIZE and first.has_next
    scope = queue_scope(staff=staff_, filters=QueueFilters(page=2))
    second = queue_page(scope=scope, staff=staff_, now=timezone.now())
    assert len(second.rows) == 1 and not second.has_next


def test_counters_count_open_requests_of_the_scope(city, staff):
    now = timezone.now()
    new = routed(city)
    update(new, expected_at=now + timedelta(days=5))
    assigned = routed(city)
    update(
        assigned,
        assignee=staff.crew,
        acknowledged_at=now,
        expected_at=now - timedelta(hours=2),
    )
    teamed = routed(city)
    update(
        teamed, team=staff.potholes_team, acknowledged_at=now, expected_at=now - timedelta(days=1)
    )
    closed_overdue = routed(city)
    update(closed_overdue, status=Status.RESOLVED, expected_at=now - timedelta(days=1))
    routed(city, department=city.parks, category=city.graffiti, answers={})
    staff_ = staff_profile(staff.agent)
    scope = queue_scope(staff=staff_, filters=QueueFilters())
    counters = queue_counters(scope=scope, user=staff.agent, now=now)
    assert (counters.new, counters.unassigned, counters.due_today, counters.overdue) == (
        1,
        1,
        0,
        2,
    )


def test_rows_say_whether_this_user_may_act_on_them(city, staff):
    routed(city)
    routed(city, department=city.parks, category=city.graffiti, answers={})
    for user, workable in ((staff.operator, {False}), (staff.city_admin, {True})):
        staff_ = staff_profile(user)
        scope = queue_scope(staff=staff_, filters=QueueFilters(scope="all"))
        page = queue_page(scope=scope, staff=staff_, now=timezone.now())
        assert len(page.rows) == 2
        assert {r.workable for r in page.rows} == workable


def test_at_risk_means_three_quarters_of_the_time_used_and_not_yet_due(city, staff):
    from datetime import timedelta

    from django.utils import timezone

    from requests_app.models import ServiceRequest
    from staff.selectors import DUE_AT_RISK, QueueFilters, QueueScope, queue_page

    now = timezone.now()
    fresh, risky, late = (submit(city) for _ in range(3))
    for sr, received, due in (
        (fresh, now - timedelta(hours=1), now + timedelta(hours=9)),
        (risky, now - timedelta(hours=8), now + timedelta(hours=2)),
        (late, now - timedelta(hours=12), now - timedelta(hours=2)),
    ):
        ServiceRequest.objects.filter(pk=sr.pk).update(
            created_at=received, expected_at=due, department=city.streets, status="in_queue"
        )
    profile = staff.supervisor.staff_profile
    scope = QueueScope(
        filters=QueueFilters(due=DUE_AT_RISK, department=city.streets.pk),
        department=city.streets,
        department_ids=frozenset({city.streets.pk}),
    )
    page = queue_page(scope=scope, staff=profile, now=now)
    assert [r.pk for r in page.rows] == [risky.pk]
    assert page.rows[0].at_risk and page.rows[0].time_left


def test_first_action_overdue_lists_unacknowledged_requests_past_their_response_target(city, staff):
    now = timezone.now()
    late = routed(city)
    update(late, response_due_at=now - timedelta(minutes=5))
    acknowledged = routed(city)
    update(acknowledged, response_due_at=now - timedelta(hours=1), acknowledged_at=now)
    in_time = routed(city)
    update(in_time, response_due_at=now + timedelta(hours=3))
    assert listed(staff.agent, due="response_overdue") == [late.tracking_number]
    staff_ = staff_profile(staff.agent)
    scope = queue_scope(staff=staff_, filters=QueueFilters())
    assert queue_counters(scope=scope, user=staff.agent, now=now).response_overdue == 1
    rows = {r.tracking_number: r for r in queue_page(scope=scope, staff=staff_, now=now).rows}
    assert rows[late.tracking_number].response_overdue
    assert rows[in_time.tracking_number].awaiting_response
    assert not rows[in_time.tracking_number].response_overdue
    # Once someone has acted, the first-action target no longer shows.
    assert not rows[acknowledged.tracking_number].awaiting_response


def test_sorting_by_first_action_due_puts_waiting_requests_first(city, staff):
    now = timezone.now()
    a, b, c = routed(city), routed(city), routed(city)
    update(a, response_due_at=now + timedelta(hours=5))
    update(b, response_due_at=now + timedelta(hours=1))
    update(c, response_due_at=now - timedelta(hours=1), acknowledged_at=now)
    assert listed(staff.agent, sort="response") == [
        b.tracking_number,
        a.tracking_number,
        c.tracking_number,
    ]


def test_the_plain_queue_written_in_sql_gives_the_orm_s_rows(city, staff, monkeypatch):
    """The queue as it opens (open, soonest due first, no filter) is read with written-out SQL;
    every scope and page must give the same rows, loaded the same way, as the ORM query."""
    from staff import selectors

    now = timezone.now()
    made = [routed(city) for _ in range(PAGE_SIZE + 3)]
    update(made[0], assignee=staff.agent, expected_at=now - timedelta(hours=3))
    update(made[1], team=staff.potholes_team, expected_at=now + timedelta(days=1))
    update(made[2], assignee=staff.crew, team=staff.potholes_team, expected_at=None)
    update(made[3], status=Status.RESOLVED)
    update(made[4], expected_at=made[5].expected_at, created_at=made[5].created_at)
    routed(city, department=city.parks, category=city.graffiti, answers={})
    cases = [
        (staff.agent, ""),
        (staff.agent, "mine"),
        (staff.agent, "unassigned"),
        (staff.operator, "all"),
        (staff.operator, "unassigned"),
    ]
    for user, kind in cases:
        for page in (1, 2):
            staff_ = staff_profile(user)
            scope = queue_scope(staff=staff_, filters=QueueFilters(scope=kind, page=page))
            assert selectors._plain_rows(scope=scope, user=user, start=0) is not None
            plain = queue_page(scope=scope, staff=staff_, now=now)
            with monkeypatch.context() as m:
                m.setattr(selectors, "_plain_rows", lambda **kwargs: None)
                orm = queue_page(scope=scope, staff=staff_, now=now)
            assert plain.has_next == orm.has_next
            assert [r.pk for r in plain.rows] == [r.pk for r in orm.rows]
            if page == 1:
                assert plain.rows
            for a, b in zip(plain.rows, orm.rows, strict=True):
                assert a.get_deferred_fields() == b.get_deferred_fields()
                assert {k: v for k, v in vars(a).items() if k != "_state"} == {
                    k: v for k, v in vars(b).items() if k != "_state"
                }
                assert a._state.fields_cache.keys() == b._state.fields_cache.keys()
                if b.assignee is None:
                    assert a.assignee is None
                else:
                    assert vars(a.assignee).keys() == vars(b.assignee).keys()
                    assert a.assignee.get_full_name() == b.assignee.get_full_name()
    # Any other queue goes through the ORM.
    staff_ = staff_profile(staff.agent)
    for filters in (QueueFilters(sort="newest"), QueueFilters(view="map"), QueueFilters(q="x")):
        scope = queue_scope(staff=staff_, filters=filters)
        assert selectors._plain_rows(scope=scope, user=staff.agent, start=0) is None
