"""The request page's reads are statements written once per process (staff.detail_selectors,
staff.model_reads) rather than ORM querysets: they must give the same objects, with the
same values (after the ORM's converters: JSON, geometry, phone numbers), in the same order, as
the querysets they replaced."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from notifications.models import OutboxMessage
from requests_app.models import OPEN_STATUSES, ResponseTemplate, ServiceRequest, Team
from requests_app.prepared import prepared_forget
from requests_app.services import (
    request_assign,
    request_comment,
    request_priority_change,
    request_supporter_add,
)
from staff import detail_selectors as selectors
from tests.conftest import INSIDE
from tests.requests_app.helpers import routed, submit

pytestmark = pytest.mark.django_db


def near(metres_north: float) -> Point:
    return Point(INSIDE[1], INSIDE[0] + metres_north / 111_000, srid=4326)


def values(obj, names) -> dict:
    return {n: getattr(obj, n) for n in names}


def fields_of(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def test_the_request_with_its_assignee_and_team_is_what_select_related_gave(city, staff):
    sr = routed(city, location=near(0))
    request_assign(
        request=sr, actor=staff.supervisor, assignee=staff.crew, team=staff.potholes_team
    )
    orm = ServiceRequest.objects.select_related("assignee", "team").get(pk=sr.pk)
    got = selectors.request_get_for_staff(tracking_number=sr.tracking_number)
    assert values(got, fields_of(ServiceRequest)) == values(orm, fields_of(ServiceRequest))
    assert got.location.wkt == orm.location.wkt and got.location.srid == orm.location.srid
    assert values(got.assignee, fields_of(type(staff.crew))) == values(
        orm.assignee, fields_of(type(staff.crew))
    )
    assert values(got.team, fields_of(Team)) == values(orm.team, fields_of(Team))
    unassigned = routed(city, location=near(5))
    got = selectors.request_get_for_staff(tracking_number=unassigned.tracking_number)
    assert got.assignee is None and got.team is None
    assert selectors.request_get_for_staff(tracking_number="0000-00000") is None


def failed_message(sr) -> OutboxMessage:
    return OutboxMessage.objects.create(
        request=sr,
        channel="email",
        recipient="a@example.com",
        template="received",
        language="en",
        body_text="x",
        dedupe_key="k1",
        status="failed",
        last_error="boom",
    )


def test_events_supporters_and_messages_are_what_the_querysets_gave(city, staff):
    sr = routed(city, location=near(0))
    request_comment(request=sr, actor=staff.agent, message="<b>Crew</b> booked", public=False)
    request_priority_change(
        request=sr, actor=staff.supervisor, priority="urgent", reason="Busy road", override=True
    )
    request_supporter_add(request=sr, actor=staff.operator, name="Ana", phone="+14155550101")
    request_supporter_add(request=sr, actor=staff.operator, name="Ben", email="b@example.com")
    failed_message(sr)
    events = list(sr.events.order_by("created_at", "id"))
    assert [e.data for e in events if e.data]  # some events carry JSON
    for internal in (True, False):
        entries = selectors.timeline_staff(request=sr, include_internal=internal)
        shown = [e for e in events if internal or e.public]
        assert [(x.at, x.actor, x.internal) for x in entries] == [
            (e.created_at, e.actor_label, not e.public) for e in shown
        ]
    supporters = selectors.supporter_list(request=sr)
    orm = list(sr.supporters.order_by("created_at", "id"))
    assert [values(s, fields_of(type(s))) for s in supporters] == [
        values(s, fields_of(type(s))) for s in orm
    ]
    assert supporters[0].phone.as_national == orm[0].phone.as_national
    assert [m.id for m in selectors.message_log(request=sr)] == list(
        OutboxMessage.objects.filter(request=sr)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)
    )


def test_reply_templates_people_and_teams_are_what_the_querysets_gave(city, staff):
    sr = routed(city, location=near(0))
    ResponseTemplate.objects.create(name="B any", body="b", active=True)
    ResponseTemplate.objects.create(name="A mine", body="a", category=sr.category, active=True)
    ResponseTemplate.objects.create(name="C off", body="c", active=False)
    ResponseTemplate.objects.create(name="D close", body="d", closure_reason=city.repaired)
    # The queryset the statement replaced.
    orm = list(
        ResponseTemplate.objects.filter(active=True)
        .filter(Q(category=sr.category_id) | Q(category__isnull=True))
        .filter(Q(closure_reason__isnull=True) | Q(closure_reason__active=True))
        .order_by("name")
    )
    assert {"A mine", "B any", "D close"} <= {t.name for t in orm}
    for resolve in (False, True):
        got = selectors.response_templates(request=sr, for_resolve=resolve)
        assert [t.id for t in got] == [
            t.pk for t in orm if (t.closure_reason_id is not None) == resolve
        ]
    Team.objects.create(department=city.streets, name="Asphalt")
    assert selectors.assignable_users_shown(department=sr.department) == list(
        selectors.assignable_users(department=sr.department)
    )
    assert selectors.teams_shown(department=sr.department) == list(
        selectors.team_list(department=sr.department)
    )
    assert selectors.assignable_users_shown(department=None) == []


def test_the_nearby_search_is_what_the_queryset_gave(city, staff):
    here = routed(city, location=near(0))
    for i in range(12):
        submit(city, location=near(8 * (i + 1)))
    rows = selectors.nearby_open_requests(point=here.location, within_m=200, exclude=here)
    assert len(rows) == selectors.NEARBY_LIMIT
    assert here.pk not in [r.pk for r in rows]
    assert all(r.status in OPEN_STATUSES for r in rows)
    distances = [r.distance.m for r in rows]
    assert distances == sorted(distances) and distances[0] > 0
    assert all(isinstance(r.location, Point) and r.location.srid == 4326 for r in rows)
    assert rows[0].category.tr_name == here.category.tr_name
    same = selectors.nearby_open_requests(point=here.location, within_m=20, category=here.category)
    assert [r.pk for r in same][:1] == [here.pk]
    assert all(r.distance.m <= 20 for r in same)


def test_the_nearby_search_with_coordinates_gives_the_points_own_numbers(city, staff):
    here = routed(city, location=near(0))
    for i in range(4):
        submit(city, location=Point(INSIDE[1] + 0.000123457 * i, INSIDE[0] + 0.0001 * i, srid=4326))
    plain = selectors.nearby_open_requests(point=here.location, within_m=200, exclude=here)
    rows = selectors.nearby_open_requests(
        point=here.location, within_m=200, exclude=here, coordinates=True
    )
    assert [r.pk for r in rows] == [r.pk for r in plain]
    assert [(r.latitude, r.longitude) for r in rows] == [
        (r.location.y, r.location.x) for r in plain
    ]
    assert [r.distance.m for r in rows] == [r.distance.m for r in plain]
    assert [r.category.tr_name for r in rows] == [r.category.tr_name for r in plain]
    assert all("location" in r.get_deferred_fields() for r in rows)


def test_the_nearby_search_is_prepared_once_per_session_and_gives_the_same_rows(city, staff):
    """requests_app.prepared: the first search on a session PREPAREs and EXECUTEs in
    one round trip, later ones only EXECUTE; past the five executions after which PostgreSQL
    may switch to the generic plan, after the session's statements are forgotten (as on a new
    connection: prepared again, under a new name), with or without the category or the
    excluded request, the rows are the ORM's."""
    here = routed(city, location=near(0))
    for i in range(6):
        submit(city, location=near(9 * (i + 1)))
    ServiceRequest.objects.filter(location=near(18)).update(status="resolved")

    def orm(within: float, category=None, exclude=None) -> list[int]:
        rows = ServiceRequest.objects.filter(
            status__in=OPEN_STATUSES, location__dwithin=(here.location, within)
        )
        if category is not None:
            rows = rows.filter(category=category)
        if exclude is not None:
            rows = rows.exclude(pk=exclude.pk)
        by_distance = sorted(rows, key=lambda r: (r.location.distance(here.location), r.pk))
        return [r.pk for r in by_distance][: selectors.NEARBY_LIMIT]

    for _session in range(2):
        prepared_forget()
        for round_ in range(7):
            for kwargs in ({}, {"exclude": here}, {"category": here.category, "exclude": here}):
                with CaptureQueriesContext(connection) as ctx:
                    rows = selectors.nearby_open_requests(
                        point=here.location, within_m=40 + round_, **kwargs
                    )
                assert [r.pk for r in rows] == orm(40 + round_, **kwargs)
                assert len(ctx.captured_queries) == 1
                sql = ctx.captured_queries[0]["sql"]
                assert sql.startswith("PREPARE" if round_ == 0 else "EXECUTE"), sql[:40]


def test_the_page_reads_in_one_round_trip_give_what_each_read_gives(city, staff):
    sr = routed(city, location=near(0))
    request_comment(request=sr, actor=staff.agent, message="<b>Crew</b> booked", public=False)
    request_supporter_add(request=sr, actor=staff.operator, name="Ana", phone="+14155550101")
    ResponseTemplate.objects.create(name="Mine", body="a", category=sr.category)
    ResponseTemplate.objects.create(name="Close", body="d", closure_reason=city.repaired)
    Team.objects.create(department=city.streets, name="Asphalt")
    failed_message(sr)

    def reads(sr, can_work: bool) -> list:
        return [
            selectors.photos_split(request=sr, include_private=can_work),
            [vars(e) for e in selectors.timeline_staff(request=sr, include_internal=can_work)],
            [values(s, fields_of(type(s))) for s in selectors.supporter_list(request=sr)],
            [vars(m) for m in selectors.message_log(request=sr)],
            selectors.response_templates(request=sr, for_resolve=False),
            selectors.response_templates(request=sr, for_resolve=True),
            [
                [values(x, fields_of(type(x))) for x in rows]
                for rows in selectors.assign_rows(request=sr)
            ],
        ]

    for can_work in (True, False):
        one_by_one = reads(
            selectors.request_get_for_staff(tracking_number=sr.tracking_number), can_work
        )
        ahead = selectors.request_get_for_staff(tracking_number=sr.tracking_number)
        actions = selectors.actions_available(request=ahead)
        assert {"assign", "comment", "resolve"} <= set(actions)
        with CaptureQueriesContext(connection) as ctx:
            selectors.detail_read_ahead(
                request=ahead, can_work=can_work, can_contact=True, actions=actions
            )
            got = reads(ahead, can_work)
        assert len(ctx.captured_queries) == 1
        assert got == one_by_one
        assert all(rows for rows in got[1:4])
